"""Who reads, conducts and signs the audits and evaluations, and who edits the checklist."""

from __future__ import annotations

import rules

from kefu.accounts.rules import is_admin, is_cs_manager, is_cs_staff, is_dept_manager, is_director

rules.add_perm("audits.view_audits", is_cs_staff | is_dept_manager | is_director | is_admin)
rules.add_perm("audits.conduct_audits", is_cs_staff | is_admin)
rules.add_perm("audits.manage_checklist", is_cs_manager | is_admin)
