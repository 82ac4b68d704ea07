"""Pure computation of the three chapters: business models, pricing, lab survival."""
