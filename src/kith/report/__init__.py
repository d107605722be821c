"""Reports: how my connections changed over a period (``kith report``)."""
