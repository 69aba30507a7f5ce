"""The scores context: the scoring policy that turns awards, grades and fulfilment into ScoreAdjusted."""
