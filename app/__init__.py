"""PackGate: a packing-bench application that will not complete an order without its waybill."""

__version__ = "0.1.0"
