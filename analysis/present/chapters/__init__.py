"""Each chapter's sections: what its notebook glues, computed by the models and formatted by the presentation.

A notebook calls one method per section, in the order of its text; the methods share results
through the chapter's context (computed once, when first needed).
"""
