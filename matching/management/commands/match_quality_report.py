"""`manage.py match_quality_report`: score the links against the demo ground truth."""

from django.core.management.base import BaseCommand

from empowersave import mongodb
from empowersave.reports import write_json_report
from matching.report import OUTCOMES, quality_report


class Command(BaseCommand):
    help = (
        "Precision, recall and F1 of residence and demographic links against demo_ground_truth, "
        "a confusion table by quality and a sample of wrong links."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=10, help="wrong links to list")
        parser.add_argument("--json", dest="json_file", help="also write the report as JSON here")

    def handle(self, *args, **options):
        mongodb.connect()
        report = quality_report(sample_size=options["sample"])
        if options["json_file"]:
            write_json_report(options["json_file"], report)
        self._print(report)

    def _print(self, report):
        write = self.stdout.write
        write(
            f"Match quality: {report['participants']:,} participants, "
            f"{report['scored']:,} with ground truth"
        )
        coverage = report["coverage"]
        write(
            f"  coverage: residence {_percent(coverage['residence'])}, "
            f"demographic {_percent(coverage['demographic'])}"
        )
        for name in ("residence", "demographic"):
            scores = report[name]
            write(
                f"  {name:<11} precision {_percent(scores['precision'])}  "
                f"recall {_percent(scores['recall'])}  F1 {_percent(scores['f1'])}  "
                f"({scores['correct']:,} correct, {scores['wrong']:,} wrong of "
                f"{scores['links']:,} links; {scores['truth_links']:,} true links)"
            )
        left = report["left_for_review"]
        write(
            f"  left for review: {left['matchable']:,} people who live at a parcel; the true "
            f"parcel first for {left['truth_first']:,} ({_percent(left['truth_first_share'])}), "
            f"among the candidates for {left['truth_among_candidates']:,}; of the "
            f"{left['with_evidence']:,} whose details point at it (a street, or their name, "
            f"email or phone on its household record), first for "
            f"{left['with_evidence_truth_first']:,} "
            f"({_percent(left['with_evidence_truth_first_share'])})"
        )
        write("  residence outcome by quality:")
        write("    " + f"{'quality':<10}" + "".join(f"{o:>20}" for o in OUTCOMES))
        for quality, row in report["confusion"].items():
            write("    " + f"{quality:<10}" + "".join(f"{row[o]:>20,}" for o in OUTCOMES))
        wrong = report["wrong_links"]
        write(
            f"  wrong residence links (sample of {len(wrong)}):"
            if wrong
            else "  wrong residence links: none"
        )
        for row in wrong:
            write(f"    [{row['quality']}] typed: {row['typed']}")
            write(f"        linked: {row['linked']}")
            write(f"        truth:  {row['truth'] or 'no parcel'}")


def _percent(value):
    return "n/a" if value is None else f"{100 * value:.2f}%"
