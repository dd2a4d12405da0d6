-- Whom a technician calls at the property (a tenant, a key holder): shown on the Tech view as a
-- number to tap.
ALTER TABLE properties ADD COLUMN contact_phone TEXT;
