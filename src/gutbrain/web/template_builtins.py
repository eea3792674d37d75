"""Template built-ins of the practice app: a ``{% url %}`` that remembers what it reversed.

Every page's navigation reverses about a dozen URL names and the dashboard one more per client
row; each ``django.urls.reverse`` walks the resolver's candidates and checks them against their
patterns, which was about a tenth of the dashboard's CPU time under load. URL patterns do not
change while a process runs, so the result of reversing a name with given arguments can be kept:
this library (registered as a template *builtin* in the settings, so every template, allauth's
included, uses it) replaces Django's ``{% url %}`` tag by the same tag whose reverse goes through
a bounded LRU cache keyed by everything the answer depends on: the view name, the arguments,
the current application namespace, the active URLconf and the script prefix.

Same syntax and output as Django's tag (``{% url 'name' arg key=value as var %}``); arguments
that cannot be hashed, and failed look-ups, are simply not cached.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

__all__ = ["cached_reverse", "register"]

register = template.Library()

#: distinct (name, arguments) pairs kept per process; a dashboard uses about 35
CACHE_SIZE = 4096


@lru_cache(maxsize=CACHE_SIZE)
def _reverse(
    view_name: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
    current_app: str | None,
    urlconf: Any,
    prefix: str,
) -> str:
    # urlconf and prefix are part of the key only: reverse() reads both from the thread itself
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def cached_reverse(
    view_name: str,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    current_app: str | None = None,
) -> str:
    """``reverse()`` through the per-process cache (falls back to ``reverse`` when the
    arguments are unhashable).

    >>> from django.urls import reverse
    >>> cached_reverse("dashboard") == reverse("dashboard")
    True
    """
    items = tuple(sorted(kwargs.items())) if kwargs else ()
    try:
        return _reverse(view_name, args, items, current_app, get_urlconf(), get_script_prefix())
    except TypeError:  # an unhashable argument
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


class CachedURLNode(URLNode):
    """Django's URL node with the reverse going through :func:`cached_reverse`."""

    def render(self, context: Context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        request: Any = getattr(context, "request", None)  # a RequestContext has one
        try:  # the same rule as Django's tag
            current_app = request.current_app
        except AttributeError:
            try:
                current_app = request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag(name="url")
def url(parser: Parser, token: Token) -> CachedURLNode:
    """Parse exactly as Django's ``{% url %}`` does, render through the cache."""
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
