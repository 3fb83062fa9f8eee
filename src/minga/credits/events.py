"""The event types of the credit registry (public, permanent: see ``core.events``)."""

from minga.core.events import declare

ACCOUNT_OPENED = declare("credits.account_opened")
BATCH_ISSUED = declare("credits.batch_issued")
CLASS_CREATED = declare("credits.class_created")
CREDITS_CANCELLED = declare("credits.credits_cancelled")
CREDITS_RETIRED = declare("credits.credits_retired")
CREDITS_SOLD = declare("credits.credits_sold")
CREDITS_TRANSFERRED = declare("credits.credits_transferred")
DISTRIBUTION_RULE_SET = declare("credits.distribution_rule_set")
INCOME_DISTRIBUTED = declare("credits.income_distributed")
PROJECT_CREATED = declare("credits.project_created")
SALE_COMMITTED = declare("credits.sale_committed")
