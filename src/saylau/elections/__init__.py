"""Election events shipped with saylau and a generator of election nights.

``kz2023.build_definition()`` builds the definition of the elections of 19 March 2023 in
Kazakhstan from the data files in ``kz-2023/``; ``generate.generate_protocols()`` makes the
count protocols of a whole election night for any definition (see docs/generate.md).
"""
