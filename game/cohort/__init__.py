"""The cohort debrief's front ends: the facilitator's HTML report (report.py, charts.py) and the text a
player sees of their own place in the room (text.py). See README.md here and engine/cohort/README.md."""
