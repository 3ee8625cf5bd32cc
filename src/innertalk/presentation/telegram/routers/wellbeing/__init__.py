"""The wellbeing screens: diary, progress, questionnaires, portrait."""
