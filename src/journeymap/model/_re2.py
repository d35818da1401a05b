"""What RE2, the importer's regex engine, refuses of the regex syntax Python reads.

The importer matches with RE2 (pyarrow's match_substring_regex, see condition_mask in
journeymap.ingest.rules), which lacks some of Python's regex syntax. The model may not import
pyarrow, so :func:`read_as_re2` reads a pattern Python compiles the way RE2 does and names what
RE2 refuses; tests/model/test_mapping_checks.py compares its verdict with pyarrow's.
"""

from __future__ import annotations

import re

__all__ = ["read_as_re2"]

_RE2_ESCAPES = frozenset("afnrtvxdDsSwWbBA")  # letters after \ that both read
_RE2_CLASS_ESCAPES = frozenset("afnrtvxdDsSwW")  # ... inside [...]
_POSIX_NAMES = "alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit"
_RE2_POSIX_CLASSES = frozenset(_POSIX_NAMES.split())  # [:alpha:] ...
_RE2_MAX_REPEAT = 1000
_REPETITION = re.compile(r"\{(?=[\d,])(\d*),?(\d*)\}")  # {} is text to both
_OCTAL = "01234567"
_NO_LOOK_AROUND = "RE2 has no look-around or backreferences; "
_BACKREFERENCE = _NO_LOOK_AROUND + "spell out the text the group matches, or list variants with |"
_ESCAPE_ADVICE = {
    "Z": "RE2 has no \\Z; use $, which RE2 matches only at the very end",
    "u": "RE2 has no \\u; write the character itself",
    "U": "RE2 has no \\U; write the character itself",
    "N": "RE2 has no \\N; write the character itself",
    "b": "RE2 reads \\b only outside [...]; write \\x08 for a backspace",
}
# Where RE2 ends a [...] elsewhere than Python: [[:alpha:]] is a class of letters to RE2.
_CLASS_READING = "RE2 reads [:name:] inside [...] as one named class; check the brackets"
_CONTROL_ESCAPES = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_PERL_GROUPS = {
    "=": ("the look-ahead '(?='", _NO_LOOK_AROUND + "match the text itself"),
    "!": ("the negative look-ahead '(?!'", _NO_LOOK_AROUND + "match the text itself, e.g. [^x]"),
    "<=": ("the look-behind '(?<='", _NO_LOOK_AROUND + "match the text itself"),
    "<!": ("the negative look-behind '(?<!'", _NO_LOOK_AROUND + "match the text itself"),
    "P=": ("the backreference '(?P='", _BACKREFERENCE),
    ">": ("the atomic group '(?>'", "RE2 has no atomic groups; write a plain group (?:...)"),
    "(": ("the conditional '(?('", "RE2 has no conditionals; write the alternatives with |"),
    "#": ("the comment '(?#'", "RE2 has no comments in patterns; leave it out"),
}


def _refused(pattern: str, position: int, what: str, advice: str) -> ValueError:
    return ValueError(
        f"regex {pattern!r} uses {what} (position {position}), which RE2, the regex engine "
        f"of the import, does not support: {advice}"
    )


def read_as_re2(pattern: str) -> None:
    """Raise a ValueError naming what RE2 refuses in ``pattern``, a regex Python compiles."""
    # Per open group, where it opens and the largest product of nested counts inside it: RE2
    # refuses a pattern repeating more than 1000 times that way, such as (a{10}){101}.
    groups: list[list[int]] = [[0, 1]]
    last: int | None = None  # the product of the atom just read, which a quantifier repeats
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            _check_escape(pattern, index, in_class=False)
            index, last = index + 2, 1
        elif char == "[":
            index, last = _class_end(pattern, index), 1
        elif char == "(":
            end, opens_group = _group_start(pattern, index)
            groups += [[index, 1]] if opens_group else []
            index, last = end, None
        elif char == ")":
            if len(groups) == 1:
                raise _refused(pattern, index, "a ')' without its '('", _CLASS_READING)
            last = groups.pop()[1]
            groups[-1][1] = max(groups[-1][1], last)
            index += 1
        elif char in "*+?" or _REPETITION.match(pattern, index):
            index, product = _quantifier_end(pattern, index, last)
            groups[-1][1], last = max(groups[-1][1], product), None
        else:
            index, last = index + 1, None if char in "|^$" else 1
    if len(groups) > 1:
        raise _refused(pattern, groups[-1][0], "a '(' without its ')'", _CLASS_READING)


def _quantifier_end(pattern: str, index: int, repeated: int | None) -> tuple[int, int]:
    """Where the quantifier at ``index`` ends, and the repetition product it makes."""
    count = _REPETITION.match(pattern, index)
    end = count.end() if count else index + 1
    if repeated is None:  # where RE2 reads [...] otherwise than Python
        raise _refused(
            pattern, index, f"'{pattern[index:end]}' with nothing to repeat", _CLASS_READING
        )
    product = repeated
    if count:
        low, high = count.groups()
        if not low:  # Python reads {,n} as {0,n}, RE2 as text
            instead = f"{{0,{high}}}" if high else "*"
            raise _refused(
                pattern, index, f"the count '{count[0]}'", f"RE2 reads it as text; write {instead}"
            )
        product = repeated * (int(high or low) or 1)
        if product > _RE2_MAX_REPEAT:
            raise _refused(
                pattern,
                index,
                f"the count '{count[0]}'",
                f"RE2 repeats at most {_RE2_MAX_REPEAT} times, the counts around it multiplied "
                f"({product} here); use a smaller count, or + or *",
            )
    if pattern.startswith("?", end):  # lazy
        end += 1
    if pattern.startswith("+", end):
        raise _refused(
            pattern,
            index,
            f"the possessive quantifier '{pattern[index : end + 1]}'",
            "RE2 has no possessive quantifiers; drop the last +",
        )
    return end, product


def _check_escape(pattern: str, index: int, *, in_class: bool) -> None:
    char = pattern[index + 1 : index + 2]
    if char and char in "123456789":
        # Octal to both: three octal digits; inside [...] two (RE2 refuses one, \1).
        octal = re.match(r"[0-7]*", pattern[index + 1 : index + 4])
        if octal and len(octal[0]) >= (2 if in_class else 3):
            return
        if not in_class:  # Python reads it as a backreference
            raise _refused(pattern, index, f"the backreference '\\{char}'", _BACKREFERENCE)
        raise _refused(
            pattern, index, f"the escape '\\{char}'", "write it with 3 octal digits, \\00N"
        )
    if (
        not char
        or (char.isascii() and not char.isalnum())  # punctuation: itself
        or char == "0"
        or char in (_RE2_CLASS_ESCAPES if in_class else _RE2_ESCAPES)
    ):
        return
    if not char.isascii():
        raise _refused(
            pattern,
            index,
            f"the escape '\\{char}'",
            f"RE2 escapes only ASCII; write {char} without \\",
        )
    advice = _ESCAPE_ADVICE.get(char, f"RE2 has no \\{char}")
    raise _refused(pattern, index, f"the escape '\\{char}'", advice)


def _class_end(pattern: str, start: int) -> int:
    """Where the ``[...]`` opened at ``start`` ends, read as RE2 reads it."""
    index = start + 1 + pattern.startswith("^", start + 1)
    first = True  # a ] right after [ or [^ is a member
    while index < len(pattern):
        if pattern[index] == "]" and not first:
            return index + 1
        first = False
        close = pattern.find(":]", index + 2) if pattern.startswith("[:", index) else -1
        if close != -1:  # RE2 reads [:name:], up to the next :], as a named class
            if pattern[index + 2 : close].removeprefix("^") not in _RE2_POSIX_CLASSES:
                known = ", ".join(f"[:{name}:]" for name in sorted(_RE2_POSIX_CLASSES))
                raise _refused(
                    pattern,
                    index,
                    f"the class '{pattern[index : close + 2]}'",
                    f"RE2 knows {known}",
                )
            index = close + 2
            continue
        member, (index, low) = index, _class_member(pattern, index)
        ranged = pattern.startswith("-", index) and not pattern.startswith("-]", index)
        if low is not None and ranged:  # a range such as a-z
            index, high = _class_member(pattern, index + 1)
            if high is None or high < low:
                raise _refused(
                    pattern,
                    member,
                    f"the range '{pattern[member:index]}'",
                    _CLASS_READING + "; write \\- for a - of its own",
                )
    raise _refused(pattern, start, "a '[' without its ']'", _CLASS_READING)


def _class_member(pattern: str, index: int) -> tuple[int, int | None]:
    """Where the character at ``index`` in [...] ends, and its code (None for a class)."""
    if not pattern.startswith("\\", index):
        return index + 1, ord(pattern[index]) if index < len(pattern) else None
    _check_escape(pattern, index, in_class=True)
    char = pattern[index + 1 : index + 2]
    digits = re.match(r"[0-7]{1,3}|x[0-9A-Fa-f]{2}", pattern[index + 1 : index + 4])
    if digits:
        code = digits[0]
        return index + 1 + len(code), int(code[1:], 16) if code[0] == "x" else int(code, 8)
    if not char or char in "dDsSwW":
        return index + 2, None
    return index + 2, _CONTROL_ESCAPES.get(char, ord(char))


def _group_start(pattern: str, index: int) -> tuple[int, bool]:
    """Where the text after the ``(`` at ``index`` starts, and whether a group opens there."""
    if not pattern.startswith("(?", index):
        return index + 1, True
    rest = pattern[index + 2 :]
    for start, (what, advice) in _PERL_GROUPS.items():
        if rest.startswith(start):
            raise _refused(pattern, index, what, advice)
    if rest.startswith("P<"):  # a named group
        close = pattern.find(">", index)
        if close == -1:
            raise _refused(pattern, index, "a '(?P<' without its '>'", _CLASS_READING)
        return close + 1, True
    flags = re.match(r"[A-Za-z-]*", rest)
    assert flags is not None  # it matches the empty text at least
    for offset, flag in enumerate(flags[0]):
        if flag not in "ims-":
            raise _refused(
                pattern,
                index + 2 + offset,
                f"the inline flag '{flag}'",
                "RE2 knows only the flags i, m and s; leave it out",
            )
    end = index + 2 + flags.end()  # at the ":" of (?i:...) or the ")" of (?i)
    return end + 1, pattern.startswith(":", end)
