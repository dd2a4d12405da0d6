-- A contractor's page reads the escalation steps reached for that contractor alone; the index by
-- agency and step made both engines read the whole agency's steps for it.
CREATE INDEX certificate_escalations_by_contractor ON certificate_escalations (agency_id, contractor_id);
