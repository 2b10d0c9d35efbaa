"""Reports: pages printed as PDF documents (a dashboard's report first)."""
