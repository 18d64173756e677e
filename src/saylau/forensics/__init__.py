"""Statistical screening of station results: flags that deserve a second look, each with what
was measured, against which null, and how surprising it is. Never proof."""
