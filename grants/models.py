# The grant competition (calls, applications, reviews, awards) arrives in its own change.
