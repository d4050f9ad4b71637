from django import template

from musqat.pdf import css_string

register = template.Library()
register.filter("css_string", css_string)
