<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionPanel</name>
    <message>
        <source>Why? (kept in the audit trail)</source>
        <translation>原因？（将记入审计记录）</translation>
    </message>
    <message>
        <source>Your PIN, again</source>
        <translation>请再次输入您的 PIN 码</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN 码</translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation>交接单</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>处理中…</translation>
    </message>
</context>
<context>
    <name>ComponentPrinterPicker</name>
    <message>
        <source>PDD print component</source>
        <translation>拼多多打印组件</translation>
    </message>
    <message>
        <source>Cainiao print component</source>
        <translation>菜鸟打印组件</translation>
    </message>
    <message>
        <source>List its printers</source>
        <translation>列出其打印机</translation>
    </message>
    <message>
        <source>Asking the component…</source>
        <translation>正在询问打印组件…</translation>
    </message>
    <message numerus="yes">
        <source>%n printer(s)</source>
        <translation>
            <numerusform>%n 台打印机</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Shipments CSV</source>
        <translation>发货记录 CSV</translation>
    </message>
    <message>
        <source>Shipments XLSX</source>
        <translation>发货记录 XLSX</translation>
    </message>
    <message>
        <source>Summary PDF</source>
        <translation>汇总 PDF</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>时间段</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>承运商</translation>
    </message>
    <message>
        <source>Packed</source>
        <translation>已打包</translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation>已交接</translation>
    </message>
    <message>
        <source>Awaiting pickup</source>
        <translation>待揽收</translation>
    </message>
    <message>
        <source>Open manifests</source>
        <translation>未关闭交接单</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单数</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>件数</translation>
    </message>
    <message>
        <source>Avg s/order</source>
        <translation>平均秒/单</translation>
    </message>
    <message>
        <source>Median s/order</source>
        <translation>中位秒/单</translation>
    </message>
    <message>
        <source>Refused scans %</source>
        <translation>拒绝扫描 %</translation>
    </message>
    <message>
        <source>First scan</source>
        <translation>首次扫描</translation>
    </message>
    <message>
        <source>Last scan</source>
        <translation>最后扫描</translation>
    </message>
    <message>
        <source>Packer</source>
        <translation>打包员</translation>
    </message>
    <message>
        <source>Bench</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>最晚发货</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Ready to pack</source>
        <translation>待打包</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Pickup</source>
        <translation>揽收</translation>
    </message>
    <message>
        <source>E-waybills</source>
        <translation>电子面单</translation>
    </message>
    <message>
        <source>Orders packed</source>
        <translation>已打包订单</translation>
    </message>
    <message>
        <source>Orders packed per hour</source>
        <translation>每小时打包订单数</translation>
    </message>
    <message>
        <source>Carriers</source>
        <translation>承运商</translation>
    </message>
    <message>
        <source>All shops</source>
        <translation>全部店铺</translation>
    </message>
    <message>
        <source>Packers</source>
        <translation>打包员</translation>
    </message>
    <message>
        <source>Benches</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>产量</translation>
    </message>
    <message>
        <source>Imports</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>视频证据</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Parcel</source>
        <translation>包裹</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Platform&apos;s message</source>
        <translation>平台返回信息</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Shop platform</source>
        <translation>店铺平台</translation>
    </message>
    <message>
        <source>Exception</source>
        <translation>异常</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Waybill</source>
        <translation>运单</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>开始于</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Exceptions (click one for its timeline)</source>
        <translation>异常（点击查看其时间线）</translation>
    </message>
    <message>
        <source>Supervisor: {name}</source>
        <translation>主管：{name}</translation>
    </message>
    <message>
        <source>Figures not refreshed: {error}</source>
        <translation>数据未刷新：{error}</translation>
    </message>
    <message>
        <source>{name} ({badge}) until {time}</source>
        <translation>{name}（{badge}）锁定至 {time}</translation>
    </message>
    <message>
        <source>Locked after wrong PINs: {people}</source>
        <translation>因 PIN 错误被锁定：{people}</translation>
    </message>
    <message>
        <source>Updated {time}</source>
        <translation>更新于 {time}</translation>
    </message>
    <message>
        <source>Last pull</source>
        <translation>上次拉单</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>上次错误</translation>
    </message>
    <message>
        <source>No shop (imported from files)</source>
        <translation>无店铺（文件导入）</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Pulling</source>
        <translation>拉单中</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Shop {shop} stopped: {reason}</source>
        <translation>店铺 {shop} 已停止：{reason}</translation>
    </message>
    <message>
        <source>Select a failed platform job first</source>
        <translation>请先选择一个失败的平台任务</translation>
    </message>
    <message>
        <source>Job {job} will be sent again</source>
        <translation>任务 {job} 将重新发送</translation>
    </message>
    <message>
        <source>Job {job} is no longer failed</source>
        <translation>任务 {job} 已不是失败状态</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Excel (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
</context>
<context>
    <name>EvidenceController</name>
    <message>
        <source>camera starting</source>
        <translation>摄像头启动中</translation>
    </message>
    <message>
        <source>no camera set up</source>
        <translation>未设置摄像头</translation>
    </message>
    <message>
        <source>No camera set up: orders are not recorded on video</source>
        <translation>未设置摄像头：订单不会录像</translation>
    </message>
    <message>
        <source>the bench never asked the recorder to start it</source>
        <translation>工作台从未通知录像程序开始录制</translation>
    </message>
    <message>
        <source>the recorder has not started the clip</source>
        <translation>录像程序尚未开始录制此片段</translation>
    </message>
    <message>
        <source>Order %1 is not being recorded on video: %2</source>
        <translation>订单 %1 没有在录像：%2</translation>
    </message>
    <message>
        <source>Camera lost: this order is not being recorded (%1)</source>
        <translation>摄像头断开：本订单没有录像（%1）</translation>
    </message>
    <message>
        <source>Camera lost: orders are not being recorded (%1)</source>
        <translation>摄像头断开：订单没有录像（%1）</translation>
    </message>
    <message>
        <source>Disk full: recording stopped, packing goes on. Free space in %1 (%2 MB left)</source>
        <translation>磁盘已满：录像已停止，打包照常进行。请清理 %1 的空间（剩余 %2 MB）</translation>
    </message>
    <message>
        <source>Video: %1</source>
        <translation>录像：%1</translation>
    </message>
    <message>
        <source>the recorder keeps failing</source>
        <translation>录像程序反复出错</translation>
    </message>
    <message>
        <source>Video recorder stopped: orders are not being recorded</source>
        <translation>录像程序已停止：订单没有录像</translation>
    </message>
    <message>
        <source>recorder restarting</source>
        <translation>录像程序重启中</translation>
    </message>
    <message>
        <source>Video recorder restarting: this order is not being recorded</source>
        <translation>录像程序重启中：本订单暂未录像</translation>
    </message>
</context>
<context>
    <name>EvidencePanel</name>
    <message>
        <source>Hide camera</source>
        <translation>隐藏画面</translation>
    </message>
    <message>
        <source>Show camera</source>
        <translation>显示画面</translation>
    </message>
    <message>
        <source>● REC %1</source>
        <translation>● 录像中 %1</translation>
    </message>
    <message>
        <source>○ not recording</source>
        <translation>○ 未录像</translation>
    </message>
</context>
<context>
    <name>EvidenceTab</name>
    <message>
        <source>Scan a waybill or type an order number, then Enter</source>
        <translation>扫描运单号或输入订单号，然后按回车</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Waybills</source>
        <translation>运单</translation>
    </message>
    <message>
        <source>Bench</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Packer</source>
        <translation>打包员</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Kept for a dispute</source>
        <translation>纠纷留存</translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation>播放 / 暂停</translation>
    </message>
    <message>
        <source>Export clip and evidence sheet</source>
        <translation>导出视频和证据单</translation>
    </message>
    <message>
        <source>Why? e.g. the buyer&apos;s refund claim</source>
        <translation>原因？例如买家的仅退款申请</translation>
    </message>
    <message>
        <source>Your PIN, again</source>
        <translation>请再次输入您的 PIN</translation>
    </message>
    <message>
        <source>Keep for a dispute</source>
        <translation>留存用于纠纷</translation>
    </message>
    <message>
        <source>Stop keeping</source>
        <translation>取消留存</translation>
    </message>
    <message>
        <source>Waybill or order</source>
        <translation>运单或订单</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN 码</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <source>yes: %1</source>
        <translation>是：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s)</source>
        <translation>
            <numerusform>%n 段录像</numerusform>
        </translation>
    </message>
    <message>
        <source>No video for %1</source>
        <translation>没有 %1 的录像</translation>
    </message>
    <message>
        <source>Fetching the clip from the server…</source>
        <translation>正在从服务器获取视频…</translation>
    </message>
    <message>
        <source>Exporting %1…</source>
        <translation>正在导出 %1…</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>%1: kept for a dispute</source>
        <translation>%1：已留存用于纠纷</translation>
    </message>
    <message>
        <source>%1: no longer kept</source>
        <translation>%1：已取消留存</translation>
    </message>
</context>
<context>
    <name>EwaybillTab</name>
    <message>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <source>Carrier</source>
        <translation>承运商</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>网点</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>剩余</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>已用</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>As of</source>
        <translation>读取时间</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>已取号</translation>
    </message>
    <message>
        <source>Taken, not linked</source>
        <translation>已取号未关联</translation>
    </message>
    <message>
        <source>Today, per carrier</source>
        <translation>今日（按承运商）</translation>
    </message>
    <message>
        <source>Balances as the platform last reported them (red under %1)</source>
        <translation>平台最近报告的余额（低于 %1 显示红色）</translation>
    </message>
    <message>
        <source>Balances as the platform last reported them</source>
        <translation>平台最近报告的余额</translation>
    </message>
    <message>
        <source>not read: %1</source>
        <translation>未能读取：%1</translation>
    </message>
</context>
<context>
    <name>HandoverPanel</name>
    <message>
        <source>carrier set by the first parcel</source>
        <translation>承运商由第一个包裹决定</translation>
    </message>
    <message>
        <source>Handover %1 · %2</source>
        <translation>交接 %1 · %2</translation>
    </message>
    <message>
        <source>Parcels: %1</source>
        <translation>包裹：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n parcel(s)</source>
        <translation type="vanished">
            <numerusform>%n 个包裹</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImportPanel</name>
    <message>
        <source>Import products…</source>
        <translation>导入商品…</translation>
    </message>
    <message>
        <source>Import orders…</source>
        <translation>导入订单…</translation>
    </message>
    <message>
        <source>PackGate&apos;s own format</source>
        <translation>PackGate 自有格式</translation>
    </message>
    <message>
        <source>Platform export: {name}</source>
        <translation>平台导出文件：{name}</translation>
    </message>
    <message>
        <source>The import&apos;s report appears here. A file with a bad row or an unknown product imports nothing.</source>
        <translation>导入报告显示在这里。文件中有一行错误或有未知商品时，整个文件都不导入。</translation>
    </message>
    <message>
        <source>Order file</source>
        <translation>订单文件</translation>
    </message>
    <message>
        <source>Import products</source>
        <translation>导入商品</translation>
    </message>
    <message>
        <source>Import orders</source>
        <translation>导入订单</translation>
    </message>
    <message>
        <source>CSV or Excel (*.csv *.txt *.xlsx);;All files (*)</source>
        <translation>CSV 或 Excel (*.csv *.txt *.xlsx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Importing {file}…</source>
        <translation>正在导入 {file}…</translation>
    </message>
    <message>
        <source>{file}: {n} bad rows. Nothing was imported.</source>
        <translation>{file}：{n} 行有错误，未导入任何内容。</translation>
    </message>
    <message>
        <source>line {line}: {reason}</source>
        <translation>第 {line} 行：{reason}</translation>
    </message>
    <message>
        <source>{file}: {added} products added, {updated} updated, {unchanged} unchanged, {barcodes} barcodes added</source>
        <translation>{file}：新增 {added} 个商品，更新 {updated} 个，未变 {unchanged} 个，新增条码 {barcodes} 个</translation>
    </message>
    <message>
        <source>changed {change}</source>
        <translation>已修改 {change}</translation>
    </message>
    <message>
        <source>{file}: {n} unknown products: import them with Import products, then this file again. Nothing was imported.</source>
        <translation>{file}：{n} 个未知商品：请先用“导入商品”导入，再导入此文件。未导入任何内容。</translation>
    </message>
    <message>
        <source>line {line}: SKU {sku} {name}</source>
        <translation>第 {line} 行：商品编码 {sku} {name}</translation>
    </message>
    <message>
        <source>{file}: {orders} orders imported, {lines} lines; {unchanged} already present, {later} already in packing or later</source>
        <translation>{file}：导入 {orders} 个订单，{lines} 行；{unchanged} 个已存在未变，{later} 个已在打包或之后</translation>
    </message>
    <message>
        <source>SKU from {header}: {n} lines</source>
        <translation>商品编码取自 {header}：{n} 行</translation>
    </message>
    <message>
        <source>Skipped, the file shows them as {reason}: {n} orders</source>
        <translation>已跳过，文件显示为 {reason}：{n} 个订单</translation>
    </message>
    <message>
        <source>After-sales cases and orders no longer to ship (not imported as ready): {n}</source>
        <translation>售后中或已无需发货的订单（不作为待打包导入）：{n} 个</translation>
    </message>
    <message>
        <source>line {line}: order {order_no} ({status}): {outcome}</source>
        <translation>第 {line} 行：订单 {order_no}（{status}）：{outcome}</translation>
    </message>
</context>
<context>
    <name>LabelPreview</name>
    <message>
        <source>Label</source>
        <translation>面单</translation>
    </message>
    <message>
        <source>Rendering…</source>
        <translation>正在生成预览…</translation>
    </message>
</context>
<context>
    <name>LoginForm</name>
    <message>
        <source>Supervisor&apos;s shipping summary: scan or type your badge, then your PIN</source>
        <translation>主管发货汇总：扫描或输入工牌，然后输入 PIN 码</translation>
    </message>
    <message>
        <source>Open the summary</source>
        <translation>打开汇总</translation>
    </message>
    <message>
        <source>Badge</source>
        <translation>工牌</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN 码</translation>
    </message>
    <message>
        <source>Scan or type your badge</source>
        <translation>扫描或输入您的工牌</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
</context>
<context>
    <name>LoginPanel</name>
    <message>
        <source>Scan your badge</source>
        <translation type="vanished">请扫描工牌</translation>
    </message>
    <message>
        <source>No scanner at hand? Type the code and press Enter.</source>
        <translation>没有扫描枪？输入条码后按回车。</translation>
    </message>
</context>
<context>
    <name>OrderPanel</name>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>已扫描</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Order %1</source>
        <translation>订单 %1</translation>
    </message>
    <message>
        <source>Carrier: %1</source>
        <translation>承运商：%1</translation>
    </message>
    <message>
        <source>Buyer&apos;s note: %1</source>
        <translation>买家留言：%1</translation>
    </message>
    <message>
        <source>Expected waybill: %1</source>
        <translation>应贴运单：%1</translation>
    </message>
    <message>
        <source>Packing parcel %1 of %2</source>
        <translation>正在打包第 %1 个包裹，共 %2 个</translation>
    </message>
    <message>
        <source>Box %1</source>
        <translation>箱子 %1</translation>
    </message>
    <message>
        <source>expected %1</source>
        <translation>预计 %1</translation>
    </message>
    <message>
        <source>weighed %1</source>
        <translation>实称 %1</translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <source>Empty scan</source>
        <translation>空扫描</translation>
    </message>
    <message>
        <source>Waybill contains characters a scanner cannot send</source>
        <translation>运单号包含扫描枪无法发送的字符</translation>
    </message>
    <message>
        <source>Unknown carrier {carrier}</source>
        <translation>未知承运商 {carrier}</translation>
    </message>
    <message>
        <source>{number} is not a {carrier} waybill number ({expected})</source>
        <translation>{number} 不是 {carrier} 运单号（{expected}）</translation>
    </message>
    <message>
        <source>Check digit wrong for {carrier}</source>
        <translation>{carrier} 运单号校验位错误</translation>
    </message>
    <message>
        <source>Unknown badge {badge}</source>
        <translation>未知工牌 {badge}</translation>
    </message>
    <message>
        <source>{name} is not a supervisor</source>
        <translation>{name} 不是主管</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>核对</translation>
    </message>
    <message>
        <source>Pack</source>
        <translation>装箱</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>面单</translation>
    </message>
    <message>
        <source>Waybill</source>
        <translation>运单</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Scan your badge</source>
        <translation>请扫描工牌</translation>
    </message>
    <message>
        <source>Type your PIN and press Enter</source>
        <translation>输入 PIN 码并按回车</translation>
    </message>
    <message>
        <source>Scan an order number</source>
        <translation>请扫描订单号</translation>
    </message>
    <message>
        <source>Scan each item</source>
        <translation>逐件扫描商品</translation>
    </message>
    <message>
        <source>Scan the box code</source>
        <translation>请扫描箱子条码</translation>
    </message>
    <message>
        <source>Weigh the parcel: type or scan the weight</source>
        <translation>称重：输入或扫描重量</translation>
    </message>
    <message>
        <source>Label not printed: fix the printer, then scan CMD:REPRINT</source>
        <translation>面单未打印：修好打印机后扫描 CMD:REPRINT</translation>
    </message>
    <message>
        <source>Scan the carrier waybill</source>
        <translation>请扫描快递运单</translation>
    </message>
    <message>
        <source>Scan each parcel for the courier; CMD:CLOSE when done</source>
        <translation>逐个扫描交给快递员的包裹；完成后扫描 CMD:CLOSE</translation>
    </message>
    <message>
        <source>Returns: scan the parcel, then each item; CMD:DAMAGED before a damaged one; CMD:CLOSE when done</source>
        <translation>退货：先扫包裹，再逐件扫商品；破损商品前扫 CMD:DAMAGED；完成后扫 CMD:CLOSE</translation>
    </message>
    <message>
        <source>Empty scan: scan again</source>
        <translation>空扫描：请重新扫描</translation>
    </message>
    <message>
        <source>Scan too long ({length} characters): not a code PackGate knows</source>
        <translation>扫描内容过长（{length} 个字符）：不是 PackGate 认识的条码</translation>
    </message>
    <message>
        <source>Scan contains control characters: check the scanner and scan again</source>
        <translation>扫描内容含控制字符：请检查扫描枪后重新扫描</translation>
    </message>
    <message>
        <source>No Chinese font found: install fonts-wqy-microhei (Debian) or set label_font in the settings</source>
        <translation>未找到中文字体：请安装 fonts-wqy-microhei（Debian）或在设置中指定 label_font</translation>
    </message>
    <message>
        <source>Printer {spec} unreachable: {reason}. Fix it, then scan CMD:REPRINT</source>
        <translation>打印机 {spec} 无法连接：{reason}。修好后扫描 CMD:REPRINT</translation>
    </message>
    <message>
        <source>{name} is locked after too many wrong PINs until {until}</source>
        <translation>{name} 因 PIN 码错误次数过多被锁定，至 {until}</translation>
    </message>
    <message>
        <source>Wrong PIN: {name} is locked for {minutes} minutes</source>
        <translation>PIN 码错误：{name} 被锁定 {minutes} 分钟</translation>
    </message>
    <message>
        <source>Wrong PIN ({left} tries left)</source>
        <translation>PIN 码错误（还剩 {left} 次）</translation>
    </message>
    <message>
        <source>Order {order_no} changed meanwhile (now {state}): look again</source>
        <translation>订单 {order_no} 已被修改（现为 {state}）：请重新查看</translation>
    </message>
    <message>
        <source>Give a reason: it goes into the audit trail</source>
        <translation>请填写原因：将记入审计记录</translation>
    </message>
    <message>
        <source>Unknown order {order_no}</source>
        <translation>未知订单 {order_no}</translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not on hold nor held by a bench</source>
        <translation>订单 {order_no} 状态为 {state}：既未暂扣，也不在任何工位上</translation>
    </message>
    <message>
        <source>Order {order_no} released from hold: ready to pack again</source>
        <translation>订单 {order_no} 已解除暂扣：可以重新打包</translation>
    </message>
    <message>
        <source>Order {order_no} cancelled (was {state}): do not ship it</source>
        <translation>订单 {order_no} 已取消（原为 {state}）：不要发货</translation>
    </message>
    <message>
        <source>Waybill {number} unlinked from order {order_no}: the order is back to packing</source>
        <translation>运单 {number} 已与订单 {order_no} 解绑：订单回到打包中</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} reopened: {count} parcels back to packed</source>
        <translation>交接单 {manifest_no} 已重新打开：{count} 个包裹回到已打包</translation>
    </message>
    <message>
        <source>Scan or type the order or manifest number</source>
        <translation>扫描或输入订单号或交接单号</translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not on hold</source>
        <translation>订单 {order_no} 状态为 {state}，未被暂扣</translation>
    </message>
    <message>
        <source>Order {order_no} is already packed (waybill {waybill}): unlink the waybill first</source>
        <translation>订单 {order_no} 已打包（运单 {waybill}）：请先解绑运单</translation>
    </message>
    <message>
        <source>Order {order_no} was handed over to the courier (waybill {waybill}): it cannot be cancelled here</source>
        <translation>订单 {order_no} 已交给快递员（运单 {waybill}）：此处无法取消</translation>
    </message>
    <message>
        <source>Order {order_no} is already cancelled</source>
        <translation>订单 {order_no} 已取消</translation>
    </message>
    <message>
        <source>Order {order_no} was handed over (waybill {waybill}): it cannot be unlinked</source>
        <translation>订单 {order_no} 已交接（运单 {waybill}）：无法解绑</translation>
    </message>
    <message>
        <source>Order {order_no} is {state}: it has no linked waybill to unlink</source>
        <translation>订单 {order_no} 状态为 {state}：没有可解绑的运单</translation>
    </message>
    <message>
        <source>Order {order_no} is on manifest {manifest_no}: take it off the handover first</source>
        <translation>订单 {order_no} 在交接单 {manifest_no} 上：请先从交接中移除</translation>
    </message>
    <message>
        <source>Order {order_no} has no bench to go back to</source>
        <translation>订单 {order_no} 没有可返回的工位</translation>
    </message>
    <message>
        <source>Unknown manifest {manifest_no}</source>
        <translation>未知交接单 {manifest_no}</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} is still open</source>
        <translation>交接单 {manifest_no} 仍未关闭</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} was signed by the courier: it cannot be reopened</source>
        <translation>交接单 {manifest_no} 已由快递员签收：无法重新打开</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} changed meanwhile: look again</source>
        <translation>交接单 {manifest_no} 已被修改：请重新查看</translation>
    </message>
    <message>
        <source>Its bench has manifest {other} open: close that one first</source>
        <translation>该工位已有打开的交接单 {other}：请先关闭它</translation>
    </message>
    <message>
        <source>Database unreachable: this scan was NOT saved. Scan it again when the connection is back.</source>
        <translation>数据库无法连接：本次扫描未保存。连接恢复后请重新扫描。</translation>
    </message>
    <message>
        <source>Hello {name}</source>
        <translation>你好，{name}</translation>
    </message>
    <message>
        <source>Order {order_no} resumed</source>
        <translation>订单 {order_no} 已恢复</translation>
    </message>
    <message>
        <source>Order {order_no} is already packed (waybill {waybill})</source>
        <translation>订单 {order_no} 已打包（运单 {waybill}）</translation>
    </message>
    <message>
        <source>Order {order_no} was already handed over (waybill {waybill})</source>
        <translation>订单 {order_no} 已交接（运单 {waybill}）</translation>
    </message>
    <message>
        <source>Order {order_no} is on hold: a supervisor must release it</source>
        <translation>订单 {order_no} 被暂扣：需主管解除</translation>
    </message>
    <message>
        <source>Order {order_no} is cancelled: do not ship it</source>
        <translation>订单 {order_no} 已取消：不要发货</translation>
    </message>
    <message>
        <source>{name} {scanned}/{quantity}</source>
        <translation>{name} {scanned}/{quantity}</translation>
    </message>
    <message>
        <source>Unknown box code {code}</source>
        <translation>未知箱子条码 {code}</translation>
    </message>
    <message>
        <source>Box {box}: now weigh the parcel (expected {expected})</source>
        <translation>箱子 {box}：请称重（预计 {expected}）</translation>
    </message>
    <message>
        <source>Weight {weight} OK: label printing</source>
        <translation>重量 {weight} 正确：正在打印面单</translation>
    </message>
    <message>
        <source>Order {order_no} complete: {carrier} {number} linked</source>
        <translation>订单 {order_no} 完成：已绑定 {carrier} {number}</translation>
    </message>
    <message>
        <source>{name} logged out</source>
        <translation>{name} 已退出</translation>
    </message>
    <message>
        <source>Unknown command {command}</source>
        <translation>未知命令 {command}</translation>
    </message>
    <message>
        <source>Order {order_no} released: put the items back</source>
        <translation>订单 {order_no} 已释放：请将商品放回</translation>
    </message>
    <message>
        <source>Order {order_no} on hold for a supervisor: set it aside</source>
        <translation>订单 {order_no} 已暂扣待主管处理：请放到一边</translation>
    </message>
    <message>
        <source>{number} added. Parcels for {carrier}: {count}</source>
        <translation>{number} 已加入。交给 {carrier} 的包裹：{count}</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} closed. Parcels handed over to {carrier}: {count}</source>
        <translation>交接单 {manifest_no} 已关闭。已交给 {carrier} 的包裹：{count}</translation>
    </message>
    <message>
        <source>{number} already counted (parcels: {count})</source>
        <translation>{number} 已计入（包裹数：{count}）</translation>
    </message>
    <message>
        <source>{number} added: {count} parcels for {carrier}</source>
        <translation type="vanished">已加入 {number}：{carrier} 共 {count} 个包裹</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} closed: {count} parcels handed over to {carrier}</source>
        <translation type="vanished">交接单 {manifest_no} 已关闭：{count} 个包裹已交给 {carrier}</translation>
    </message>
    <message>
        <source>Order {order_no} taken back from its bench: ready to pack again</source>
        <translation>订单 {order_no} 已从工位收回：可以重新打包</translation>
    </message>
    <message>
        <source>Order {order_no} was taken off this bench ({state}): set it aside</source>
        <translation>订单 {order_no} 已被移出本工位（{state}）：请放到一边</translation>
    </message>
    <message>
        <source>{name} is logged in: scan CMD:LOGOUT first</source>
        <translation>{name} 已登录：请先扫描 CMD:LOGOUT</translation>
    </message>
    <message>
        <source>Order {order_no} is already open</source>
        <translation>订单 {order_no} 已经打开</translation>
    </message>
    <message>
        <source>The label has not printed: fix the printer, then scan CMD:REPRINT</source>
        <translation>面单未打印：修好打印机后扫描 CMD:REPRINT</translation>
    </message>
    <message>
        <source>Hello {name}: type your PIN</source>
        <translation>你好，{name}：请输入 PIN 码</translation>
    </message>
    <message>
        <source>Too many wrong PINs at this bench: PIN entry is closed for {minutes} minutes</source>
        <translation>本工作台输错 PIN 次数过多：{minutes} 分钟内不能输入 PIN</translation>
    </message>
    <message>
        <source>Welcome back {name}: order {order_no} resumed</source>
        <translation>欢迎回来，{name}：订单 {order_no} 已恢复</translation>
    </message>
    <message>
        <source>Welcome back {name}: handover {manifest_no} resumed</source>
        <translation>欢迎回来，{name}：交接 {manifest_no} 已恢复</translation>
    </message>
    <message>
        <source>Order {order_no}: scan each item</source>
        <translation>订单 {order_no}：逐件扫描商品</translation>
    </message>
    <message>
        <source>Order {order_no} is held by {station}</source>
        <translation>订单 {order_no} 正在 {station} 打包</translation>
    </message>
    <message>
        <source>Unknown barcode {code}: not an item, box or command</source>
        <translation>未知条码 {code}：不是商品、箱子或命令</translation>
    </message>
    <message>
        <source>Wrong item: {name} ({sku}) is not in this order</source>
        <translation>商品错误：{name}（{sku}）不在此订单中</translation>
    </message>
    <message>
        <source>{name} {scanned}/{quantity}. All items verified: scan the box</source>
        <translation>{name} {scanned}/{quantity}。商品已全部核对：请扫描箱子</translation>
    </message>
    <message>
        <source>Over-scan: every item is already verified ({name})</source>
        <translation>多扫：所有商品已核对（{name}）</translation>
    </message>
    <message>
        <source>{text} is not a weight: type grams (1250) or kg (1.25kg)</source>
        <translation>{text} 不是重量：请输入克（1250）或千克（1.25kg）</translation>
    </message>
    <message>
        <source>Weight {weight} is not possible for a parcel</source>
        <translation>重量 {weight} 对包裹来说不可能</translation>
    </message>
    <message>
        <source>Weight {weight}, expected {expected} ±{tolerance}: check the items</source>
        <translation>重量 {weight}，预计 {expected} ±{tolerance}：请检查商品</translation>
    </message>
    <message>
        <source>Waybill {number} is already on order {other}</source>
        <translation>运单 {number} 已绑定在订单 {other} 上</translation>
    </message>
    <message>
        <source>Order {order_no} is no longer yours to pack ({state})</source>
        <translation>订单 {order_no} 已不归你打包（{state}）</translation>
    </message>
    <message>
        <source>{code} is an item barcode, not a waybill: scan the carrier&apos;s waybill</source>
        <translation>{code} 是商品条码，不是运单：请扫描快递运单</translation>
    </message>
    <message>
        <source>PackGate server unreachable: this scan was NOT saved. Scan it again when the connection is back.</source>
        <translation>连不上 PackGate 服务器：本次扫描未保存。连接恢复后请重新扫描。</translation>
    </message>
    <message>
        <source>This bench is not enrolled at the server, or was revoked: {detail}</source>
        <translation>本工作台未在服务器登记，或已被吊销：{detail}</translation>
    </message>
    <message>
        <source>The server&apos;s certificate changed (pinned {pinned}, got {got}): NOT connected. Ask IT, then enrol again.</source>
        <translation>服务器证书已变更（登记时 {pinned}，现在 {got}）：未连接。请联系 IT 后重新登记。</translation>
    </message>
    <message>
        <source>The server refused: {detail}</source>
        <translation>服务器拒绝：{detail}</translation>
    </message>
    <message>
        <source>PackGate server unreachable ({error}): nothing was changed; try again when the connection is back</source>
        <translation>无法连接 PackGate 服务器（{error}）：未做任何更改；网络恢复后请重试</translation>
    </message>
    <message>
        <source>The clip {name} from the server does not match its SHA-256</source>
        <translation>从服务器获取的视频 {name} 与其 SHA-256 不符</translation>
    </message>
    <message>
        <source>The server&apos;s evidence export could not be read: {error}</source>
        <translation>无法读取服务器导出的证据：{error}</translation>
    </message>
    <message>
        <source>Cannot read {path}: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <source>The clip {path} is not on this PC (deleted, moved, or still at bench {station})</source>
        <translation>视频 {path} 不在本机（已删除、已移动，或仍在工作台 {station}）</translation>
    </message>
    <message>
        <source>A supervisor must unlock the settings first</source>
        <translation>须先由主管解锁设置</translation>
    </message>
    <message>
        <source>No video evidence for {text}</source>
        <translation>没有 {text} 的打包视频</translation>
    </message>
    <message>
        <source>Clip {name} is not a video file in the server&apos;s evidence folders</source>
        <translation>视频 {name} 不是服务器证据文件夹中的视频文件</translation>
    </message>
    <message>
        <source>The clip {name} is still at bench {station}: not uploaded yet</source>
        <translation>视频 {name} 仍在工作台 {station}：尚未上传</translation>
    </message>
    <message>
        <source>Return {target} attached to order {order_no}</source>
        <translation>退货 {target} 已关联到订单 {order_no}</translation>
    </message>
    <message>
        <source>Unknown return {target}</source>
        <translation>找不到退货 {target}</translation>
    </message>
    <message>
        <source>Return {target} already belongs to an order</source>
        <translation>退货 {target} 已关联订单</translation>
    </message>
    <message>
        <source>Return {target} is still being received at its bench</source>
        <translation>退货 {target} 仍在工位收货中</translation>
    </message>
    <message>
        <source>Order {order_no} was never shipped ({state}): nothing to return</source>
        <translation>订单 {order_no} 从未发货（{state}）：没有可退的</translation>
    </message>
    <message>
        <source>Return {target} changed meanwhile: look again</source>
        <translation>退货 {target} 刚刚有变化：请重新查看</translation>
    </message>
    <message>
        <source>Return {target} holds more than order {order_no} shipped (with its other returns)</source>
        <translation>退货 {target} 的商品多于订单 {order_no} 发出的数量（含其他退货）</translation>
    </message>
    <message>
        <source>{waybill} matches no order: scan its items, then CMD:CLOSE records it unmatched</source>
        <translation>{waybill} 找不到对应订单：请扫描其中商品，然后扫 CMD:CLOSE 记为未匹配退货</translation>
    </message>
    <message>
        <source>Returns: scan the returned parcel&apos;s waybill or its order number</source>
        <translation>退货：请扫描退回包裹的运单号或订单号</translation>
    </message>
    <message>
        <source>Back to packing</source>
        <translation>回到打包</translation>
    </message>
    <message>
        <source>Scan the returned parcel&apos;s waybill or order number before its items</source>
        <translation>请先扫描退回包裹的运单号或订单号，再扫商品</translation>
    </message>
    <message>
        <source>Return of order {order_no}: scan each item</source>
        <translation>订单 {order_no} 的退货：请逐件扫描商品</translation>
    </message>
    <message>
        <source>The next item is recorded as damaged</source>
        <translation>下一件商品记为破损</translation>
    </message>
    <message>
        <source>{sku} recorded ({condition}); units in this parcel: {units}</source>
        <translation>{sku} 已记录（{condition}）；本包裹件数：{units}</translation>
    </message>
    <message>
        <source>{name}: damaged ({received} of {expected} back)</source>
        <translation>{name}：破损（已退回 {received}/{expected}）</translation>
    </message>
    <message>
        <source>{name}: {received} of {expected} back</source>
        <translation>{name}：已退回 {received}/{expected}</translation>
    </message>
    <message>
        <source>Close the open return first: CMD:CLOSE</source>
        <translation>请先关闭当前退货：CMD:CLOSE</translation>
    </message>
    <message>
        <source>No return is open: scan the returned parcel first</source>
        <translation>没有打开的退货：请先扫描退回的包裹</translation>
    </message>
    <message>
        <source>Open the return first, then CMD:DAMAGED before the damaged item</source>
        <translation>请先打开退货，再在破损商品前扫 CMD:DAMAGED</translation>
    </message>
    <message>
        <source>Return {waybill} was already received</source>
        <translation>退货 {waybill} 已经收过</translation>
    </message>
    <message>
        <source>Return {waybill} is open at {bench}</source>
        <translation>退货 {waybill} 正在工位 {bench} 处理</translation>
    </message>
    <message>
        <source>{sku} was never in order {order_no}: set it aside (recorded as foreign)</source>
        <translation>{sku} 不属于订单 {order_no}：请放到一边（已记为外来商品）</translation>
    </message>
    <message>
        <source>Unmatched return {waybill} recorded ({units} units): a supervisor attaches it to its order</source>
        <translation>未匹配退货 {waybill} 已记录（{units} 件）：由主管关联到订单</translation>
    </message>
    <message>
        <source>Return of {order_no} closed with discrepancies. Missing: {missing}. Foreign: {foreign}. Damaged: {damaged}</source>
        <translation>订单 {order_no} 的退货已关闭，有差异。缺少：{missing}。外来：{foreign}。破损：{damaged}</translation>
    </message>
    <message>
        <source>Return of {order_no} closed: everything expected came back</source>
        <translation>订单 {order_no} 的退货已关闭：应退商品全部退回</translation>
    </message>
    <message>
        <source>Finish the open order or handover before receiving returns</source>
        <translation>请先完成当前订单或交接，再收退货</translation>
    </message>
    <message>
        <source>Over-return: order {order_no} shipped {shipped} of {sku}, all back already</source>
        <translation>超量退回：订单 {order_no} 共发出 {sku} {shipped} 件，已全部退回</translation>
    </message>
    <message>
        <source>Over-return: every unit of {sku} is back already</source>
        <translation>超量退回：{sku} 已全部退回</translation>
    </message>
    <message>
        <source>This return was closed elsewhere</source>
        <translation>这个退货已在别处关闭</translation>
    </message>
    <message>
        <source>Return {waybill} was just opened elsewhere</source>
        <translation>退货 {waybill} 刚刚在别的工位打开</translation>
    </message>
    <message>
        <source>Weight {weight} OK. Label printing…</source>
        <translation>重量 {weight} 合格。正在打印面单…</translation>
    </message>
    <message>
        <source>Label printing…</source>
        <translation>正在打印面单…</translation>
    </message>
    <message>
        <source>The label has not printed yet: wait for it, or scan CMD:REPRINT</source>
        <translation>面单还没有打印出来：请稍候，或扫描 CMD:REPRINT</translation>
    </message>
    <message>
        <source>Order {order_no} has no carrier yet (its shop has none chosen): set it aside for a supervisor</source>
        <translation>订单 {order_no} 还没有快递公司（其店铺未设置默认快递）：请放到一边交给主管</translation>
    </message>
    <message>
        <source>Order {order_no}: refund requested on the platform: do not pack. Set it aside for a supervisor</source>
        <translation>订单 {order_no}：买家已在平台申请退款，请勿打包。请放到一边交给主管</translation>
    </message>
    <message>
        <source>Parcel {seq}, box {box}: now weigh it (expected {expected})</source>
        <translation>第 {seq} 个包裹，箱子 {box}：请称重（预计 {expected}）</translation>
    </message>
    <message>
        <source>Parcel {seq}: {carrier} {number} linked. Scan the remaining items into parcel {next}</source>
        <translation>第 {seq} 个包裹：已关联 {carrier} {number}。请把剩余商品扫入第 {next} 个包裹</translation>
    </message>
    <message>
        <source>Parcel {seq} closed with {units} items: scan its box</source>
        <translation>第 {seq} 个包裹已封装 {units} 件：请扫描箱子</translation>
    </message>
    <message>
        <source>{name} {scanned}/{quantity} (parcel {seq})</source>
        <translation>{name} {scanned}/{quantity}（第 {seq} 个包裹）</translation>
    </message>
    <message>
        <source>Parcel {seq} is closed: finish it (box, weight, label, waybill), then scan {name} into parcel {next}</source>
        <translation>第 {seq} 个包裹已封装：请先完成它（箱子、称重、面单、运单），再把 {name} 扫入第 {next} 个包裹</translation>
    </message>
    <message>
        <source>{code} is an order number, not a waybill: scan the carrier&apos;s waybill</source>
        <translation>{code} 是订单号，不是运单：请扫描快递运单</translation>
    </message>
    <message>
        <source>{code} is a box code, not a waybill: scan the carrier&apos;s waybill</source>
        <translation>{code} 是箱子条码，不是运单：请扫描快递运单</translation>
    </message>
    <message>
        <source>{code} is a badge, not a waybill: scan the carrier&apos;s waybill</source>
        <translation>{code} 是工牌，不是运单：请扫描快递运单</translation>
    </message>
    <message>
        <source>{name} logged out; order stays on this bench until you return</source>
        <translation>{name} 已退出；订单保留在本工位等你回来</translation>
    </message>
    <message>
        <source>Handover {manifest_no}: scan each parcel</source>
        <translation>交接 {manifest_no}：逐个扫描包裹</translation>
    </message>
    <message>
        <source>Reprinting the label</source>
        <translation>正在重新打印面单</translation>
    </message>
    <message>
        <source>Waybill {number} is not linked to any order</source>
        <translation>运单 {number} 未绑定任何订单</translation>
    </message>
    <message>
        <source>{number} added (order {order_no}, parcel {seq}/{total}). Parcels for {carrier}: {count}</source>
        <translation>{number} 已加入（订单 {order_no}，包裹 {seq}/{total}）。交给 {carrier} 的包裹：{count}</translation>
    </message>
    <message>
        <source>The manifest is empty: scan parcels, or CMD:CANCEL to leave</source>
        <translation>交接单为空：请扫描包裹，或扫描 CMD:CANCEL 离开</translation>
    </message>
    <message>
        <source>Order {order_no}: scan each item. The shop platform cannot be reached: packing on what PackGate last knew</source>
        <translation>订单 {order_no}：请逐件扫描商品。暂时无法连接店铺平台：按 PackGate 最后获知的状态打包</translation>
    </message>
    <message>
        <source>Every parcel of order {order_no} has its waybill</source>
        <translation>订单 {order_no} 的每个包裹都已关联运单</translation>
    </message>
    <message>
        <source>{number} is not this parcel&apos;s e-waybill {expected}: scan the label just printed</source>
        <translation>{number} 不是本包裹的电子面单 {expected}：请扫描刚打印出的面单</translation>
    </message>
    <message>
        <source>Order {order_no} complete: {parcels} parcels, {carrier} {number} linked last</source>
        <translation>订单 {order_no} 完成：共 {parcels} 个包裹，最后关联 {carrier} {number}</translation>
    </message>
    <message>
        <source>CMD:NEWPARCEL splits an order while its items are scanned</source>
        <translation>CMD:NEWPARCEL 只能在扫描商品时拆分包裹</translation>
    </message>
    <message>
        <source>Scan at least one item into parcel {seq} first</source>
        <translation>请先至少扫入一件商品到第 {seq} 个包裹</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} closed: {count} parcels to {carrier}. Not on it, keep back: {missing}</source>
        <translation>交接单 {manifest_no} 已关闭：{count} 个包裹交给 {carrier}。以下不在单上，请留下：{missing}</translation>
    </message>
    <message>
        <source>Scan every item of this parcel before the box ({missing} missing), or CMD:NEWPARCEL to box what is scanned</source>
        <translation>请先扫完本包裹的商品再扫箱子（还差 {missing} 件），或扫 CMD:NEWPARCEL 先封装已扫的商品</translation>
    </message>
    <message>
        <source>This label belongs to order {other} parcel {seq}: stick this parcel&apos;s own label on</source>
        <translation>这张面单属于订单 {other} 的第 {seq} 个包裹：请贴本包裹自己的面单</translation>
    </message>
    <message>
        <source>Waybill {number} is already on another parcel of this order</source>
        <translation>运单 {number} 已用于本订单的另一个包裹</translation>
    </message>
    <message>
        <source>Order {order_no} ships in {count} parcels: give the waybill of the one to unlink ({waybills})</source>
        <translation>订单 {order_no} 分 {count} 个包裹发货：请给出要解除的那个包裹的运单号（{waybills}）</translation>
    </message>
    <message>
        <source>Give the return&apos;s waybill and the order number</source>
        <translation>请填写退货运单号和订单号</translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not held by a bench</source>
        <translation>订单 {order_no} 状态为 {state}，不在任何工作台上打包</translation>
    </message>
    <message>
        <source>Order {order_no} has no carrier: choose its shop&apos;s carrier (packgate shops add SHOP ... --default-carrier CODE); the next pull releases it</source>
        <translation>订单 {order_no} 没有快递公司：请为其店铺设置快递（packgate shops add 店铺 ... --default-carrier 代码）；下次拉取订单时将自动放行</translation>
    </message>
    <message>
        <source>Label printed: stick it on and scan it</source>
        <translation>面单已打印：贴上后扫描它</translation>
    </message>
    <message>
        <source>No label: the platform says: {error}. Scan CMD:REPRINT to try again, or set the order aside for a supervisor</source>
        <translation>没有面单：平台回复：{error}。扫描 CMD:REPRINT 重试，或将订单放到一边交给主管</translation>
    </message>
    <message>
        <source>Label not printed: {error}. Fix the print component, then scan CMD:REPRINT</source>
        <translation>面单未打印：{error}。请检查打印组件，然后扫描 CMD:REPRINT</translation>
    </message>
    <message>
        <source>Order {order_no} was sent back to this bench by a supervisor: finish it</source>
        <translation>主管把订单 {order_no} 退回本工作台：请完成它</translation>
    </message>
    <message>
        <source>This manifest was already closed</source>
        <translation>此交接单已关闭</translation>
    </message>
    <message>
        <source>Scan your badge first</source>
        <translation>请先扫描工牌</translation>
    </message>
    <message>
        <source>That is an item: scan the order number first</source>
        <translation>这是商品：请先扫描订单号</translation>
    </message>
    <message>
        <source>Over-scan: {name} already {scanned}/{quantity}</source>
        <translation>多扫：{name} 已 {scanned}/{quantity}</translation>
    </message>
    <message>
        <source>Over-scan: every item is already verified</source>
        <translation type="vanished">多扫：所有商品已核对</translation>
    </message>
    <message>
        <source>{number} does not match the pre-assigned waybill {expected}: wrong label?</source>
        <translation>{number} 与预分配运单 {expected} 不符：面单贴错了？</translation>
    </message>
    <message>
        <source>Finish or cancel the open order before handover</source>
        <translation>交接前请先完成或取消当前订单</translation>
    </message>
    <message>
        <source>Handover is already open</source>
        <translation>交接已打开</translation>
    </message>
    <message>
        <source>CMD:CLOSE closes a handover: scan CMD:HANDOVER first</source>
        <translation>CMD:CLOSE 用于关闭交接：请先扫描 CMD:HANDOVER</translation>
    </message>
    <message>
        <source>Handover paused: the manifest stays open</source>
        <translation>交接已暂停：交接单保持打开</translation>
    </message>
    <message>
        <source>No open order to cancel</source>
        <translation>没有可取消的订单</translation>
    </message>
    <message>
        <source>No open order to report short</source>
        <translation>没有可报缺货的订单</translation>
    </message>
    <message>
        <source>Nothing to reprint yet: the label prints after weighing</source>
        <translation>暂无可重打的内容：称重后才会打印面单</translation>
    </message>
    <message>
        <source>Waybill {number} is not linked yet: finish packing that order</source>
        <translation>运单 {number} 尚未绑定：请先完成该订单的打包</translation>
    </message>
    <message>
        <source>{number} already counted ({count} parcels)</source>
        <translation type="vanished">{number} 已计入（共 {count} 个包裹）</translation>
    </message>
    <message>
        <source>{number} is already on manifest {manifest_no}</source>
        <translation>{number} 已在交接单 {manifest_no} 上</translation>
    </message>
    <message>
        <source>Order {order_no} is {state}, not packed: keep it back</source>
        <translation>订单 {order_no} 状态为 {state}，未打包：请留下</translation>
    </message>
    <message>
        <source>{number} is {carrier}: this manifest is for {manifest_carrier}</source>
        <translation>{number} 属于 {carrier}：本交接单是 {manifest_carrier} 的</translation>
    </message>
    <message>
        <source>Printer error: {error}. Fix it, then scan CMD:REPRINT</source>
        <translation>打印机错误：{error}。修好后扫描 CMD:REPRINT</translation>
    </message>
    <message>
        <source>Weight {weight} OK. Label of parcel {parcel} printed: scan its waybill</source>
        <translation>重量 {weight} 正确。包裹 {parcel} 的面单已打印：请扫描它的运单</translation>
    </message>
    <message>
        <source>Weight {weight} OK. Label printed: scan the carrier waybill</source>
        <translation>重量 {weight} 正确。面单已打印：请扫描快递运单</translation>
    </message>
    <message>
        <source>Welcome back {name}: return {name_of_return} resumed</source>
        <translation>欢迎回来 {name}：继续处理退货 {name_of_return}</translation>
    </message>
    <message>
        <source>Login cancelled</source>
        <translation>已取消登录</translation>
    </message>
    <message>
        <source>Order {order_no} was just taken by another bench</source>
        <translation>订单 {order_no} 刚被其他工位领取</translation>
    </message>
    <message>
        <source>{number} was just added to another manifest</source>
        <translation>{number} 刚被加入另一个交接单</translation>
    </message>
    <message>
        <source>Label printed: {where}</source>
        <translation type="vanished">面单已打印：{where}</translation>
    </message>
    <message>
        <source>Label reprinted: scan the carrier waybill</source>
        <translation>面单已重打：请扫描快递运单</translation>
    </message>
    <message>
        <source>Unknown badge (digits not shown: scan your badge first, then type the PIN)</source>
        <translation>未知工牌（数字不显示：请先扫工牌，再输入 PIN）</translation>
    </message>
    <message>
        <source>Manifest {manifest_no} closed, but printing failed: {error}. Print it with: packgate manifests print {id}</source>
        <translation>交接单 {manifest_no} 已关闭，但打印失败：{error}。可用以下命令打印：packgate manifests print {id}</translation>
    </message>
    <message>
        <source>No working camera ({reason}): this bench records every order on video, so {code} cannot be opened</source>
        <translation>摄像头不可用（{reason}）：本工位每个订单都必须录像，无法打开 {code}</translation>
    </message>
    <message>
        <source>No supervisor&apos;s desk session (or it expired): log in to the supervisor view again</source>
        <translation>没有主管会话（或已过期）：请重新登录主管视图</translation>
    </message>
    <message>
        <source>Clip {id} is not a video file in the server&apos;s evidence folders</source>
        <translation>片段 {id} 不是服务器证据文件夹中的视频文件</translation>
    </message>
    <message>
        <source>Clip {id} is not a video file</source>
        <translation type="vanished">视频 {id} 不是视频文件</translation>
    </message>
    <message>
        <source>Clip {name} refused by the server ({detail}): kept on this bench</source>
        <translation>视频 {name} 被服务器拒绝（{detail}）：保留在本工作台</translation>
    </message>
    <message>
        <source>Clip {name} is damaged on this bench (its SHA-256 changed): kept here, not uploaded</source>
        <translation>视频 {name} 在本工作台已损坏（SHA-256 已变化）：保留在此，不上传</translation>
    </message>
    <message>
        <source>Upload of {name} refused by the server ({detail}): kept here, sent again</source>
        <translation>视频 {name} 上传被服务器拒绝（{detail}）：保留在此，稍后重新发送</translation>
    </message>
</context>
<context>
    <name>PickupTab</name>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Waybill</source>
        <translation>运单号</translation>
    </message>
    <message>
        <source>Courier</source>
        <translation>快递公司</translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation>交接单</translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation>交接时间</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>小时</translation>
    </message>
    <message>
        <source>Last trace line</source>
        <translation>最新物流轨迹</translation>
    </message>
    <message>
        <source>Exception</source>
        <translation>异常</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Carrier&apos;s words</source>
        <translation>快递公司原文</translation>
    </message>
    <message>
        <source>Picked up</source>
        <translation>已揽收</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>关闭时间</translation>
    </message>
    <message>
        <source>Median handover to pickup</source>
        <translation>交接到揽收中位时长</translation>
    </message>
    <message>
        <source>Handed over, no pickup scan yet</source>
        <translation>已交接，尚无揽收扫描</translation>
    </message>
    <message>
        <source>Trace exceptions (FAIL, REJECTION, RETURN) of the last 7 days</source>
        <translation>近7天物流轨迹异常（失败、拒收、退回）</translation>
    </message>
    <message>
        <source>Manifests</source>
        <translation>交接单</translation>
    </message>
    <message>
        <source>Per courier (parcels handed over in the period)</source>
        <translation>按快递公司（本期交接的包裹）</translation>
    </message>
    <message>
        <source>lost in transit? </source>
        <translation>疑似丢件？</translation>
    </message>
    <message>
        <source>no trace yet</source>
        <translation>暂无物流轨迹</translation>
    </message>
    <message>
        <source>picked up {n} of {total}</source>
        <translation>已揽收 {n}/{total}</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
</context>
<context>
    <name>ReturnsPanel</name>
    <message>
        <source>RETURNS</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>CMD:DAMAGED: the next item is recorded as damaged</source>
        <translation>CMD:DAMAGED：下一件商品记为破损</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>已发</translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation>申请退</translation>
    </message>
    <message>
        <source>Back (good / damaged)</source>
        <translation>退回（完好 / 破损）</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>缺少</translation>
    </message>
    <message>
        <source>Scan the returned parcel: its return waybill, order number or outgoing waybill</source>
        <translation>请扫描退回的包裹：退货运单号、订单号或发货运单号</translation>
    </message>
    <message>
        <source>Unmatched parcel %1: scan its items, then CMD:CLOSE</source>
        <translation>未匹配包裹 %1：请扫描其中商品，然后扫 CMD:CLOSE</translation>
    </message>
    <message>
        <source>Return of order %1 · %2</source>
        <translation>订单 %1 的退货 · %2</translation>
    </message>
    <message>
        <source>Return of order %1</source>
        <translation>订单 %1 的退货</translation>
    </message>
    <message>
        <source>After-sales case %1 (type %2): %3</source>
        <translation>售后单 %1（类型 %2）：%3</translation>
    </message>
    <message>
        <source>Parcel %1: %2, %3 g, %4, %5 — %6</source>
        <translation>包裹 %1：%2，%3 克，%4，%5 — %6</translation>
    </message>
    <message>
        <source>(unmatched, %1)</source>
        <translation>（未匹配，%1）</translation>
    </message>
    <message>
        <source>Foreign (never in this order): %1</source>
        <translation>外来商品（不属于此订单）：%1</translation>
    </message>
</context>
<context>
    <name>ReturnsTab</name>
    <message>
        <source>Closed</source>
        <translation>关闭时间</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>缺少</translation>
    </message>
    <message>
        <source>Foreign</source>
        <translation>外来</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>破损</translation>
    </message>
    <message>
        <source>Return waybill</source>
        <translation>退货运单号</translation>
    </message>
    <message>
        <source>After-sales case</source>
        <translation>售后单</translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation>申请退</translation>
    </message>
    <message>
        <source>Expected since</source>
        <translation>预计自</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>收货时间</translation>
    </message>
    <message>
        <source>Attach to the order</source>
        <translation>关联到订单</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Discrepancies (missing, foreign, damaged): %1</source>
        <translation>有差异（缺少、外来、破损）：%1</translation>
    </message>
    <message>
        <source>Expected, not yet received: %1</source>
        <translation>预计退回、尚未收到：%1</translation>
    </message>
    <message>
        <source>Unmatched, to attach to an order: %1</source>
        <translation>未匹配、待关联订单：%1</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>PackGate settings</source>
        <translation>PackGate 设置</translation>
    </message>
    <message>
        <source>A supervisor must unlock the settings.</source>
        <translation>需要主管解锁设置。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Supervisor badge</source>
        <translation>主管工牌</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN 码</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>意外错误：{error}</translation>
    </message>
    <message>
        <source>pdf:DIR, system:NAME, zpl:HOST:PORT or zpl-cups:QUEUE</source>
        <translation>pdf:目录、system:名称、zpl:主机:端口 或 zpl-cups:队列</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>Play a sound for every scan</source>
        <translation>每次扫描播放提示音</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>回车</translation>
    </message>
    <message>
        <source>Tab</source>
        <translation>Tab</translation>
    </message>
    <message>
        <source>Enter then Tab</source>
        <translation>回车后 Tab</translation>
    </message>
    <message>
        <source>e.g. /dev/ttyUSB0 or COM3; empty: no scale</source>
        <translation>例如 /dev/ttyUSB0 或 COM3；留空：不用电子秤</translation>
    </message>
    <message>
        <source>None: a blank carrier is a bad row</source>
        <translation>无：快递公司为空的行视为错误</translation>
    </message>
    <message>
        <source>v4l2:/dev/video0, rtsp://..., test or none</source>
        <translation>v4l2:/dev/video0、rtsp://...、test 或 none</translation>
    </message>
    <message>
        <source>Refuse to open an order while the camera does not work</source>
        <translation>摄像头不可用时拒绝打开订单</translation>
    </message>
    <message>
        <source>720p (1280x720)</source>
        <translation>720p（1280x720）</translation>
    </message>
    <message>
        <source>1080p (1920x1080)</source>
        <translation>1080p（1920x1080）</translation>
    </message>
    <message>
        <source> fps</source>
        <translation> 帧/秒</translation>
    </message>
    <message>
        <source>empty: evidence/ in the data folder</source>
        <translation>留空：数据文件夹中的 evidence/</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>keep every clip</source>
        <translation>保留所有视频</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Record sound with the video</source>
        <translation>录像时同时录音</translation>
    </message>
    <message>
        <source>empty: the camera&apos;s own; alsa:default, dshow:audio=NAME or test</source>
        <translation>留空：用摄像头自带的声音；或 alsa:default、dshow:audio=名称、test</translation>
    </message>
    <message>
        <source>When the order is packed</source>
        <translation>订单打包完成时</translation>
    </message>
    <message>
        <source>When the parcel is handed to the courier</source>
        <translation>包裹交给快递员时</translation>
    </message>
    <message>
        <source>Show the live camera picture at the bench</source>
        <translation>在工作台显示摄像头实时画面</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Site settings: every bench decides its scans with these, from its next scan</source>
        <translation>全站设置：每个工作台从下一次扫描起按这些设置判定</translation>
    </message>
    <message>
        <source>Tell the shop platform</source>
        <translation>通知电商平台</translation>
    </message>
    <message>
        <source>This bench&apos;s settings</source>
        <translation>本工作台的设置</translation>
    </message>
    <message>
        <source>Station name</source>
        <translation>工位名称</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>Print component</source>
        <translation>打印组件</translation>
    </message>
    <message>
        <source>Label size (mm)</source>
        <translation>面单尺寸（毫米）</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Sounds</source>
        <translation>提示音</translation>
    </message>
    <message>
        <source>Scanner prefix</source>
        <translation>扫描枪前缀</translation>
    </message>
    <message>
        <source>Scanner suffix</source>
        <translation>扫描枪后缀</translation>
    </message>
    <message>
        <source>Weight tolerance</source>
        <translation>重量容差</translation>
    </message>
    <message>
        <source>Minimum tolerance</source>
        <translation>最小容差</translation>
    </message>
    <message>
        <source>Scale port</source>
        <translation>电子秤端口</translation>
    </message>
    <message>
        <source>Default carrier for imports</source>
        <translation>导入订单的默认快递公司</translation>
    </message>
    <message>
        <source>Sound</source>
        <translation>声音</translation>
    </message>
    <message>
        <source>Sound source</source>
        <translation>声音来源</translation>
    </message>
    <message>
        <source>Live picture</source>
        <translation>实时画面</translation>
    </message>
    <message>
        <source>Station name, language and the video settings apply at the next start (the live picture at once).</source>
        <translation>工作台名称、语言和视频设置在下次启动时生效（实时画面立即生效）。</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <source>Station name and language apply at the next start.</source>
        <translation type="vanished">工位名称和语言在下次启动时生效。</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Video size</source>
        <translation>视频尺寸</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>帧率</translation>
    </message>
    <message>
        <source>Evidence folder</source>
        <translation>视频文件夹</translation>
    </message>
    <message>
        <source>Keep clips for</source>
        <translation>视频保留</translation>
    </message>
    <message>
        <source>Keep at most</source>
        <translation>最多保留</translation>
    </message>
    <message>
        <source>Video required</source>
        <translation>必须录像</translation>
    </message>
    <message>
        <source>Station name, language and camera apply at the next start.</source>
        <translation type="vanished">工位名称、语言和摄像头在下次启动时生效。</translation>
    </message>
    <message>
        <source>Not saved: the change could not be audited ({error})</source>
        <translation>未保存：无法记录此次修改的审计日志（{error}）</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>PackGate: first start</source>
        <translation>PackGate：首次启动</translation>
    </message>
    <message>
        <source>Name of this packing station (e.g. BENCH-1):</source>
        <translation>本打包工位的名称（例如 BENCH-1）：</translation>
    </message>
    <message>
        <source>no camera set up</source>
        <translation>未设置摄像头</translation>
    </message>
    <message>
        <source>PackGate: database</source>
        <translation>PackGate：数据库</translation>
    </message>
    <message>
        <source>PackGate cannot start:

%1</source>
        <translation>PackGate 无法启动：

%1</translation>
    </message>
</context>
<context>
    <name>Station</name>
    <message>
        <source>waiting to be sent</source>
        <translation>等待发送</translation>
    </message>
    <message>
        <source>sent, not confirmed yet</source>
        <translation>已发送，尚未确认</translation>
    </message>
    <message>
        <source>in a bulk-shipping file, not uploaded yet</source>
        <translation>已写入批量发货文件，尚未上传</translation>
    </message>
    <message>
        <source>confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>FAILED: the supervisor sees why</source>
        <translation>失败：主管可查看原因</translation>
    </message>
    <message>
        <source>No orders due to ship within %1 h</source>
        <translation>%1 小时内没有需发货的订单</translation>
    </message>
    <message>
        <source>1 order due to ship within %2 h</source>
        <translation>1 个订单需在 %2 小时内发货</translation>
    </message>
    <message>
        <source>%1 orders due to ship within %2 h</source>
        <translation>%1 个订单需在 %2 小时内发货</translation>
    </message>
    <message>
        <source>not sent yet</source>
        <translation>尚未发送</translation>
    </message>
    <message>
        <source>Shop platform: %1</source>
        <translation>店铺平台：%1</translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <source>PackGate · %1</source>
        <translation>PackGate · %1</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>交接</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Scan, or type a damaged barcode and press Enter</source>
        <translation>扫描，或输入损坏的条码后按回车</translation>
    </message>
    <message>
        <source>Sound off: this PC cannot play sounds (%1)</source>
        <translation>声音已关闭：此电脑无法播放声音（%1）</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Order %1 is packed. Next order, please.</source>
        <translation>订单 %1 已打包。请处理下一个订单。</translation>
    </message>
    <message>
        <source>Ready for the next order</source>
        <translation>可以处理下一个订单</translation>
    </message>
    <message>
        <source>PackGate server unreachable — scans are refused, reconnecting…</source>
        <translation>连不上 PackGate 服务器 — 扫描被拒绝，正在重新连接…</translation>
    </message>
    <message>
        <source>Behind the server, change this bench&apos;s settings in its settings.json</source>
        <translation>通过服务器工作时，请在本机的 settings.json 中修改设置</translation>
    </message>
    <message>
        <source>Last print: %1</source>
        <translation type="vanished">最近打印：%1</translation>
    </message>
    <message>
        <source>Database unreachable — scans are refused, reconnecting…</source>
        <translation>数据库无法连接 —— 扫描将被拒绝，正在重连…</translation>
    </message>
    <message>
        <source>Internal error, scan not handled: %1</source>
        <translation>内部错误，扫描未处理：%1</translation>
    </message>
    <message>
        <source>Behind the server, open the supervisor view on the server PC</source>
        <translation>通过服务器工作时，请在服务器电脑上打开主管视图</translation>
    </message>
    <message>
        <source>The supervisor view is not installed</source>
        <translation>主管视图尚未安装</translation>
    </message>
</context>
<context>
    <name>Supervisor</name>
    <message>
        <source>Release the hold of an order</source>
        <translation>解除订单暂扣</translation>
    </message>
    <message>
        <source>Cancel an order</source>
        <translation>取消订单</translation>
    </message>
    <message>
        <source>Unlink a wrong waybill (the order goes back to packing)</source>
        <translation>解绑错误的运单（订单回到打包中）</translation>
    </message>
    <message>
        <source>Reopen a manifest the courier has not signed</source>
        <translation>重新打开快递员未签收的交接单</translation>
    </message>
    <message>
        <source>Attach an unmatched return to its order (return waybill, order)</source>
        <translation>将未匹配退货关联到订单（退货运单号、订单号）</translation>
    </message>
    <message>
        <source>Error: {error}</source>
        <translation>错误：{error}</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>待打包</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>打包中</translation>
    </message>
    <message>
        <source>Packed, awaiting pickup</source>
        <translation>已打包，待揽收</translation>
    </message>
    <message>
        <source>Handed over</source>
        <translation>已交接</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>已暂扣</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Packed without waybill</source>
        <translation>已打包但无运单</translation>
    </message>
    <message>
        <source>Not on the platform</source>
        <translation>未上传到平台</translation>
    </message>
    <message>
        <source>Platform failed</source>
        <translation>平台上传失败</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>即将到期</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超时</translation>
    </message>
    <message>
        <source>Not picked up</source>
        <translation>未揽收</translation>
    </message>
    <message>
        <source>No pickup scan 24 h after upload</source>
        <translation>上传后24小时无揽收</translation>
    </message>
    <message>
        <source>Trace exceptions</source>
        <translation>物流轨迹异常</translation>
    </message>
    <message>
        <source>E-waybills not used</source>
        <translation>未使用的电子面单</translation>
    </message>
    <message>
        <source>Label reprinted</source>
        <translation>面单已重打</translation>
    </message>
    <message>
        <source>Waybill unlinked</source>
        <translation>运单已解绑</translation>
    </message>
    <message>
        <source>Parcels left behind</source>
        <translation>包裹未全部交接</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>Dates…</source>
        <translation>选择日期…</translation>
    </message>
    <message>
        <source>Counted for the whole site only: choose All shops</source>
        <translation>仅按全站统计：请选择“全部店铺”</translation>
    </message>
    <message>
        <source>Release hold</source>
        <translation>解除暂扣</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>取消订单</translation>
    </message>
    <message>
        <source>Unlink waybill</source>
        <translation>解绑运单</translation>
    </message>
    <message>
        <source>Reopen manifest</source>
        <translation>重新打开交接单</translation>
    </message>
</context>
<context>
    <name>SupervisorWindow</name>
    <message>
        <source>PackGate: supervisor&apos;s shipping summary</source>
        <translation>PackGate：主管发货汇总</translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <source>Click an exception to see its order&apos;s timeline</source>
        <translation>点击一个异常查看其订单的时间线</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>扫描内容</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Packer</source>
        <translation>打包员</translation>
    </message>
    <message>
        <source>Bench</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>No order {order_no}</source>
        <translation>没有订单 {order_no}</translation>
    </message>
    <message>
        <source>Order {order_no}: {state}, {carrier} {waybill}; bench {station}, packer {packer}; {hold}</source>
        <translation>订单 {order_no}：{state}，{carrier} {waybill}；工位 {station}，打包员 {packer}；{hold}</translation>
    </message>
    <message>
        <source>Parcel {seq}: {waybill}, box {box}, {weight} g, {state} {manifest}</source>
        <translation>包裹 {seq}：{waybill}，箱子 {box}，{weight} 克，{state} {manifest}</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>REFUSED</source>
        <translation>已拒绝</translation>
    </message>
</context>
</TS>
