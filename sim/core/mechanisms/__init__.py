"""The mechanisms of one day (MODEL.md), one module each, called in order by `GrassrootsModel.step()`."""
