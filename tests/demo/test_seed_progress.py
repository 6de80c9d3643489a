"""Seeding says what it is doing: one log line per step (a bar on a terminal as well)."""

import io
import logging

from django.core.management import call_command


def test_seeding_logs_each_step(caplog):
    caplog.set_level(logging.INFO, logger="participants.demo_data")
    call_command("seed_demo_data", participants=300, stdout=io.StringIO())
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == "generating the demo: 300 source documents (seed 2024)"
    assert lines[1].startswith("generated in ") and "to 5 collections" in lines[1]
    assert "wrote emailoctopus_db.participants: 300 documents" in lines
    assert any(
        line.startswith("wrote empower_analytics.county_residential_data: ") for line in lines
    )
    assert lines[-1].startswith("indexed the county collections in ")
    assert len(lines) == 8
