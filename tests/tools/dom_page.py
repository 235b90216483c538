"""The DOM chromium dumps (--dump-dom), as a tree the browser checks can query
(tests/tools/browser_check.sh imports it for the plan page and the report page)."""
from html.parser import HTMLParser

# Elements that never have children (an end tag is not written for them).
VOID = ("meta", "br", "img", "input", "link")


class Page(HTMLParser):
    """Elements with their attributes, children and the text inside them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.elements, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "text": "", "children": []}
        self.tags.append(tag)
        if self.stack:
            self.stack[-1]["children"].append(node)
        self.elements.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        node = {"tag": tag, "attrs": dict(attrs), "text": "", "children": []}
        if self.stack:
            self.stack[-1]["children"].append(node)
        self.elements.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for node in self.stack:
            node["text"] += data


def walk(node):
    """`node` and every element under it, depth first."""
    yield node
    for c in node["children"]:
        yield from walk(c)

