"""Who runs surveys and reads their results."""

from __future__ import annotations

import rules

from kefu.accounts.rules import is_admin, is_cs_manager, is_cs_staff, is_director, is_supervisor

rules.add_perm("surveys.view_surveys", is_cs_staff | is_director | is_admin)
rules.add_perm("surveys.run_surveys", is_supervisor | is_cs_manager | is_admin)
rules.add_perm("surveys.enter_answers", is_cs_staff | is_admin)
rules.add_perm("surveys.manage_templates", is_cs_manager | is_admin)
