"""Labels, packing slips, command sheets, manifests, and the printers they go to."""
