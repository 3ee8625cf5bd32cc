"""Use cases of the wellbeing tools: diary, questionnaires, portraits, reminders."""
