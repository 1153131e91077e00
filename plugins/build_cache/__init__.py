"""The build's caches: what a build keeps for the next one (the check's parse of every file, Pelican's Article of every report, their rendered bodies)."""
