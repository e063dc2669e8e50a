-- 0008 admin listing: an index that lets "status=overdue, sorted by due date" read only overdue
-- clients.
--
-- A client is overdue when today - grace_days <= due_date < today, with grace_days from its plan
-- (disparo_client_status, 0005, stays the only definition; the listing uses this range only as an
-- index guard beside it). Grace days live on the plan, so no index on clients alone can hold the
-- "overdue since" boundary without a copy of grace_days that a plan change would make stale.
-- Instead the listing walks this index once per plan of the tenant (plans are few), each walk
-- starting at that plan's own boundary and reading rows already in due-date order, and merges the
-- walks (admin/client_query.cpp). Before, one walk of clients_tenant_due from the largest grace
-- period on passed every client of a plan with fewer grace days (suspended ones): ~2,400 rows
-- for a page of 50 on the benchmark's 100,000 clients.
--
-- Its (tenant_id, plan_id) prefix serves the plan_id filter as clients_tenant_plan did.
CREATE INDEX clients_tenant_plan_due ON clients (tenant_id, plan_id, (coalesce(due_date, 'infinity'::date)), id);
DROP INDEX clients_tenant_plan;
