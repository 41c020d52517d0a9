"""axe-core in the browser: a page state fails when axe finds a serious or critical violation."""

from functools import cache
from pathlib import Path

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


@cache
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise AssertionError(
            f"axe-core is missing ({AXE_SOURCE}): run `npm ci --no-audit --no-fund` in the project "
            "folder (`make test` does it)."
        )
    return AXE_SOURCE.read_text(encoding="utf-8")


def accessibility_violations(page) -> list[dict]:
    """axe's violations on the page as it is now, every impact."""
    # page.evaluate runs outside the Content-Security-Policy; a <script> tag would be refused.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )


def assert_accessible(page, *, context: str) -> None:
    """Fails listing every serious or critical axe violation of the page, named by context."""
    failing = [v for v in accessibility_violations(page) if v["impact"] in FAILING_IMPACTS]
    if failing:
        lines = [f"axe: {len(failing)} serious/critical violation(s) on {context} ({page.url}):"]
        for violation in failing:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"])
        raise AssertionError("\n".join(lines))
