"""What a supplier reads of their invoices: the list, the detail, the dashboard and summary.

Above `invoices` (models, statuses, writes, visibility) and `payments` (terms, interest,
the payment filters and totals), which both know nothing of it."""
