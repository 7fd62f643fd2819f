"""Who reads and runs the improvement loop. Who signs the 改进表 is decided per step by the services."""

from __future__ import annotations

import rules

from kefu.accounts.rules import is_admin, is_cs_manager, is_cs_staff, is_dept_manager, is_director

rules.add_perm("improvement.view_cycles", is_cs_staff | is_dept_manager | is_director | is_admin)
rules.add_perm("improvement.manage_cycles", is_cs_manager | is_admin)
# The analysis is written by the customer-service manager together with the related departments.
rules.add_perm("improvement.edit_analysis", is_cs_manager | is_dept_manager | is_admin)
rules.add_perm("improvement.record_progress", is_cs_manager | is_dept_manager | is_admin)
