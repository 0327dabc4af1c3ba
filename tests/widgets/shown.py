"""What a widget's HTML shows, with each formula as the LaTeX it was typeset from."""

import html
import re

_MATH = re.compile(r'<math display="(block|inline)" alttext="([^"]*)">.*?</math>', re.S)


def shown(text: str) -> str:
    """The HTML with every <math> element back as $$latex$$ (display) or \\(latex\\) (inline)."""

    def back(match: re.Match) -> str:
        latex = html.unescape(match.group(2))
        return f"$${latex}$$" if match.group(1) == "block" else rf"\({latex}\)"

    return _MATH.sub(back, text)
