"""Clinic views, one module per part: dashboard, invite, review (with notes, alerts and
prescriptions) and reports. Every view is wrapped in `access.clinician_required` and reaches
a patient only through `access.patient_for`."""
