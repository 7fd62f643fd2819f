"""Who reads, drafts and approves the service standards and measures the KPIs."""

from __future__ import annotations

import rules

from kefu.accounts.rules import is_admin, is_cs_manager, is_cs_staff, is_dept_manager, is_director

rules.add_perm("standards.view_standards", is_cs_staff | is_dept_manager | is_director | is_admin)
rules.add_perm("standards.draft_standards", is_cs_manager | is_admin)
rules.add_perm("standards.approve_standards", is_director | is_admin)
rules.add_perm("standards.manage_indicators", is_cs_manager | is_admin)
rules.add_perm("standards.recompute_kpis", is_cs_manager | is_dept_manager | is_director | is_admin)
