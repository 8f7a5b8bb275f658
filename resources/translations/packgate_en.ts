<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ActionPanel</name>
    <message>
        <source>Why? (kept in the audit trail)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your PIN, again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ComponentPrinterPicker</name>
    <message>
        <source>PDD print component</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cainiao print component</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List its printers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the component…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n printer(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shipments CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shipments XLSX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Period</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Awaiting pickup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open manifests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Avg s/order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median s/order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused scans %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready to pack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pickup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-waybills</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Orders packed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Orders packed per hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carriers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All shops</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Benches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Platform&apos;s message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shop platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exception</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exceptions (click one for its timeline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Figures not refreshed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} ({badge}) until {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked after wrong PINs: {people}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updated {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last pull</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No shop (imported from files)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pulling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shop {shop} stopped: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a failed platform job first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job {job} will be sent again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job {job} is no longer failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excel (*.xlsx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EvidenceController</name>
    <message>
        <source>camera starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no camera set up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera set up: orders are not recorded on video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the bench never asked the recorder to start it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the recorder has not started the clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order %1 is not being recorded on video: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera lost: this order is not being recorded (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera lost: orders are not being recorded (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disk full: recording stopped, packing goes on. Free space in %1 (%2 MB left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the recorder keeps failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video recorder stopped: orders are not being recorded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recorder restarting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video recorder restarting: this order is not being recorded</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EvidencePanel</name>
    <message>
        <source>Hide camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● REC %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>○ not recording</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EvidenceTab</name>
    <message>
        <source>Scan a waybill or type an order number, then Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybills</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept for a dispute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export clip and evidence sheet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why? e.g. the buyer&apos;s refund claim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your PIN, again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep for a dispute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop keeping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill or order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No video for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching the clip from the server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: kept for a dispute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no longer kept</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EwaybillTab</name>
    <message>
        <source>Shop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As of</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taken, not linked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today, per carrier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balances as the platform last reported them (red under %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balances as the platform last reported them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not read: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HandoverPanel</name>
    <message>
        <source>carrier set by the first parcel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handover %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcels: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportPanel</name>
    <message>
        <source>Import products…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import orders…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PackGate&apos;s own format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Platform export: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The import&apos;s report appears here. A file with a bad row or an unknown product imports nothing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import products</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV or Excel (*.csv *.txt *.xlsx);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing {file}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {n} bad rows. Nothing was imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line {line}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {added} products added, {updated} updated, {unchanged} unchanged, {barcodes} barcodes added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>changed {change}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {n} unknown products: import them with Import products, then this file again. Nothing was imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line {line}: SKU {sku} {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {orders} orders imported, {lines} lines; {unchanged} already present, {later} already in packing or later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SKU from {header}: {n} lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped, the file shows them as {reason}: {n} orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After-sales cases and orders no longer to ship (not imported as ready): {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line {line}: order {order_no} ({status}): {outcome}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LabelPreview</name>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rendering…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginForm</name>
    <message>
        <source>Supervisor&apos;s shipping summary: scan or type your badge, then your PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan or type your badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginPanel</name>
    <message>
        <source>No scanner at hand? Type the code and press Enter.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OrderPanel</name>
    <message>
        <source>Product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SKU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carrier: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buyer&apos;s note: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected waybill: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packing parcel %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Box %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>weighed %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <source>Empty scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill contains characters a scanner cannot send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown carrier {carrier}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} is not a {carrier} waybill number ({expected})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check digit wrong for {carrier}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown badge {badge}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is not a supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan your badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type your PIN and press Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan an order number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan each item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the box code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weigh the parcel: type or scan the weight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label not printed: fix the printer, then scan CMD:REPRINT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the carrier waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan each parcel for the courier; CMD:CLOSE when done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returns: scan the parcel, then each item; CMD:DAMAGED before a damaged one; CMD:CLOSE when done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty scan: scan again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan too long ({length} characters): not a code PackGate knows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan contains control characters: check the scanner and scan again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No Chinese font found: install fonts-wqy-microhei (Debian) or set label_font in the settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printer {spec} unreachable: {reason}. Fix it, then scan CMD:REPRINT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is locked after too many wrong PINs until {until}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong PIN: {name} is locked for {minutes} minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong PIN ({left} tries left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} changed meanwhile (now {state}): look again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a reason: it goes into the audit trail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown order {order_no}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} released from hold: ready to pack again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} cancelled (was {state}): do not ship it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill {number} unlinked from order {order_no}: the order is back to packing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest {manifest_no} reopened: {count} parcels back to packed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan or type the order or manifest number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is already packed (waybill {waybill}): unlink the waybill first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} was handed over to the courier (waybill {waybill}): it cannot be cancelled here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is already cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} was handed over (waybill {waybill}): it cannot be unlinked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is {state}: it has no linked waybill to unlink</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is on manifest {manifest_no}: take it off the handover first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} has no bench to go back to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown manifest {manifest_no}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest {manifest_no} is still open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest {manifest_no} was signed by the courier: it cannot be reopened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest {manifest_no} changed meanwhile: look again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its bench has manifest {other} open: close that one first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database unreachable: this scan was NOT saved. Scan it again when the connection is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hello {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} resumed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is already packed (waybill {waybill})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} was already handed over (waybill {waybill})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is on hold: a supervisor must release it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is cancelled: do not ship it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} {scanned}/{quantity}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown box code {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Box {box}: now weigh the parcel (expected {expected})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight {weight} OK: label printing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} complete: {carrier} {number} linked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} logged out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown command {command}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} released: put the items back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} on hold for a supervisor: set it aside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} added. Parcels for {carrier}: {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest {manifest_no} closed. Parcels handed over to {carrier}: {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} already counted (parcels: {count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is logged in: scan CMD:LOGOUT first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not on hold nor held by a bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} taken back from its bench: ready to pack again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} was taken off this bench ({state}): set it aside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is already open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The label has not printed: fix the printer, then scan CMD:REPRINT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hello {name}: type your PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome back {name}: order {order_no} resumed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome back {name}: handover {manifest_no} resumed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no}: scan each item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is held by {station}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown barcode {code}: not an item, box or command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong item: {name} ({sku}) is not in this order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} {scanned}/{quantity}. All items verified: scan the box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over-scan: every item is already verified ({name})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{text} is not a weight: type grams (1250) or kg (1.25kg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight {weight} is not possible for a parcel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight {weight}, expected {expected} ±{tolerance}: check the items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill {number} is already on order {other}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is no longer yours to pack ({state})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{code} is an item barcode, not a waybill: scan the carrier&apos;s waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PackGate server unreachable: this scan was NOT saved. Scan it again when the connection is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This bench is not enrolled at the server, or was revoked: {detail}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s certificate changed (pinned {pinned}, got {got}): NOT connected. Ask IT, then enrol again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused: {detail}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PackGate server unreachable ({error}): nothing was changed; try again when the connection is back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clip {name} from the server does not match its SHA-256</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s evidence export could not be read: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read {path}: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clip {path} is not on this PC (deleted, moved, or still at bench {station})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A supervisor must unlock the settings first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No video evidence for {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clip {name} is not a video file in the server&apos;s evidence folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clip {name} is still at bench {station}: not uploaded yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {target} attached to order {order_no}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown return {target}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {target} already belongs to an order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {target} is still being received at its bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} was never shipped ({state}): nothing to return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {target} changed meanwhile: look again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {target} holds more than order {order_no} shipped (with its other returns)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{waybill} matches no order: scan its items, then CMD:CLOSE records it unmatched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returns: scan the returned parcel&apos;s waybill or its order number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to packing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the returned parcel&apos;s waybill or order number before its items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return of order {order_no}: scan each item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The next item is recorded as damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sku} recorded ({condition}); units in this parcel: {units}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}: damaged ({received} of {expected} back)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}: {received} of {expected} back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the open return first: CMD:CLOSE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No return is open: scan the returned parcel first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the return first, then CMD:DAMAGED before the damaged item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {waybill} was already received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {waybill} is open at {bench}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sku} was never in order {order_no}: set it aside (recorded as foreign)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unmatched return {waybill} recorded ({units} units): a supervisor attaches it to its order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return of {order_no} closed with discrepancies. Missing: {missing}. Foreign: {foreign}. Damaged: {damaged}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return of {order_no} closed: everything expected came back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish the open order or handover before receiving returns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over-return: order {order_no} shipped {shipped} of {sku}, all back already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over-return: every unit of {sku} is back already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This return was closed elsewhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return {waybill} was just opened elsewhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight {weight} OK. Label printing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label printing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The label has not printed yet: wait for it, or scan CMD:REPRINT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} has no carrier yet (its shop has none chosen): set it aside for a supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no}: refund requested on the platform: do not pack. Set it aside for a supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcel {seq}, box {box}: now weigh it (expected {expected})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcel {seq}: {carrier} {number} linked. Scan the remaining items into parcel {next}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcel {seq} closed with {units} items: scan its box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} {scanned}/{quantity} (parcel {seq})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcel {seq} is closed: finish it (box, weight, label, waybill), then scan {name} into parcel {next}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{code} is an order number, not a waybill: scan the carrier&apos;s waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{code} is a box code, not a waybill: scan the carrier&apos;s waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{code} is a badge, not a waybill: scan the carrier&apos;s waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} logged out; order stays on this bench until you return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handover {manifest_no}: scan each parcel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reprinting the label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill {number} is not linked to any order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} added (order {order_no}, parcel {seq}/{total}). Parcels for {carrier}: {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The manifest is empty: scan parcels, or CMD:CANCEL to leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no}: scan each item. The shop platform cannot be reached: packing on what PackGate last knew</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every parcel of order {order_no} has its waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} is not this parcel&apos;s e-waybill {expected}: scan the label just printed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} complete: {parcels} parcels, {carrier} {number} linked last</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CMD:NEWPARCEL splits an order while its items are scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan at least one item into parcel {seq} first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest {manifest_no} closed: {count} parcels to {carrier}. Not on it, keep back: {missing}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan every item of this parcel before the box ({missing} missing), or CMD:NEWPARCEL to box what is scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This label belongs to order {other} parcel {seq}: stick this parcel&apos;s own label on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill {number} is already on another parcel of this order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} ships in {count} parcels: give the waybill of the one to unlink ({waybills})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the return&apos;s waybill and the order number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not on hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not held by a bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} has no carrier: choose its shop&apos;s carrier (packgate shops add SHOP ... --default-carrier CODE); the next pull releases it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label printed: stick it on and scan it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No label: the platform says: {error}. Scan CMD:REPRINT to try again, or set the order aside for a supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label not printed: {error}. Fix the print component, then scan CMD:REPRINT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} was sent back to this bench by a supervisor: finish it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This manifest was already closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan your badge first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome back {name}: return {name_of_return} resumed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That is an item: scan the order number first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over-scan: {name} already {scanned}/{quantity}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} does not match the pre-assigned waybill {expected}: wrong label?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish or cancel the open order before handover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handover is already open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CMD:CLOSE closes a handover: scan CMD:HANDOVER first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handover paused: the manifest stays open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No open order to cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No open order to report short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to reprint yet: the label prints after weighing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill {number} is not linked yet: finish packing that order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} is already on manifest {manifest_no}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not packed: keep it back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} is {carrier}: this manifest is for {manifest_carrier}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printer error: {error}. Fix it, then scan CMD:REPRINT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight {weight} OK. Label of parcel {parcel} printed: scan its waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight {weight} OK. Label printed: scan the carrier waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many wrong PINs at this bench: PIN entry is closed for {minutes} minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no} was just taken by another bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} was just added to another manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label reprinted: scan the carrier waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown badge (digits not shown: scan your badge first, then type the PIN)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest {manifest_no} closed, but printing failed: {error}. Print it with: packgate manifests print {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No working camera ({reason}): this bench records every order on video, so {code} cannot be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No supervisor&apos;s desk session (or it expired): log in to the supervisor view again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clip {id} is not a video file in the server&apos;s evidence folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clip {name} refused by the server ({detail}): kept on this bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clip {name} is damaged on this bench (its SHA-256 changed): kept here, not uploaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload of {name} refused by the server ({detail}): kept here, sent again</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PickupTab</name>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Courier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last trace line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exception</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carrier&apos;s words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Picked up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median handover to pickup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handed over, no pickup scan yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace exceptions (FAIL, REJECTION, RETURN) of the last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manifests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per courier (parcels handed over in the period)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lost in transit? </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no trace yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>picked up {n} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReturnsPanel</name>
    <message>
        <source>RETURNS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CMD:DAMAGED: the next item is recorded as damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SKU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back (good / damaged)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the returned parcel: its return waybill, order number or outgoing waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unmatched parcel %1: scan its items, then CMD:CLOSE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return of order %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return of order %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After-sales case %1 (type %2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcel %1: %2, %3 g, %4, %5 — %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(unmatched, %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Foreign (never in this order): %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReturnsTab</name>
    <message>
        <source>Closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Foreign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After-sales case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach to the order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discrepancies (missing, foreign, damaged): %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected, not yet received: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unmatched, to attach to an order: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>PackGate settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A supervisor must unlock the settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pdf:DIR, system:NAME, zpl:HOST:PORT or zpl-cups:QUEUE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play a sound for every scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter then Tab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. /dev/ttyUSB0 or COM3; empty: no scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None: a blank carrier is a bad row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>v4l2:/dev/video0, rtsp://..., test or none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refuse to open an order while the camera does not work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>720p (1280x720)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1080p (1920x1080)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: evidence/ in the data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keep every clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record sound with the video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: the camera&apos;s own; alsa:default, dshow:audio=NAME or test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When the order is packed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When the parcel is handed to the courier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the live camera picture at the bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site settings: every bench decides its scans with these, from its next scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tell the shop platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This bench&apos;s settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Station name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print component</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label size (mm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanner prefix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanner suffix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight tolerance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum tolerance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default carrier for imports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sound source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Station name, language and the video settings apply at the next start (the live picture at once).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep clips for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep at most</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: the change could not be audited ({error})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>PackGate: first start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name of this packing station (e.g. BENCH-1):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no camera set up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PackGate: database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PackGate cannot start:

%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Station</name>
    <message>
        <source>waiting to be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sent, not confirmed yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in a bulk-shipping file, not uploaded yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FAILED: the supervisor sees why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No orders due to ship within %1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 order due to ship within %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 orders due to ship within %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not sent yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shop platform: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <source>PackGate · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan, or type a damaged barcode and press Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sound off: this PC cannot play sounds (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order %1 is packed. Next order, please.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready for the next order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PackGate server unreachable — scans are refused, reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database unreachable — scans are refused, reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error, scan not handled: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Behind the server, open the supervisor view on the server PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The supervisor view is not installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Behind the server, change this bench&apos;s settings in its settings.json</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Supervisor</name>
    <message>
        <source>Release the hold of an order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel an order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlink a wrong waybill (the order goes back to packing)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reopen a manifest the courier has not signed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach an unmatched return to its order (return waybill, order)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packed, awaiting pickup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Late</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packed without waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not on the platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Platform failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not picked up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No pickup scan 24 h after upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace exceptions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-waybills not used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label reprinted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waybill unlinked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcels left behind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dates…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counted for the whole site only: choose All shops</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlink waybill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reopen manifest</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SupervisorWindow</name>
    <message>
        <source>PackGate: supervisor&apos;s shipping summary</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <source>Click an exception to see its order&apos;s timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No order {order_no}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {order_no}: {state}, {carrier} {waybill}; bench {station}, packer {packer}; {hold}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcel {seq}: {waybill}, box {box}, {weight} g, {state} {manifest}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REFUSED</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
