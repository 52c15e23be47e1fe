"""The libraries of the Python models (models/intermediate/predictive), imported in one place.

dbt runs two models at a time, each in its own thread. When two Python models import scikit-learn
or SciPy at the same moment, Python's per-module import locks can meet in a cycle, and Python then
hands one thread a partly initialised module ("cannot import name 'clone' from partially
initialized module 'sklearn.base'"). Every Python model imports this module before anything else:
a second thread waits on this one module's lock until the first has imported everything, and no
cycle can form. The profile's `module_paths` puts the project on the models' import path.
"""

import numpy  # noqa: F401
import pandas  # noqa: F401
import scipy.optimize  # noqa: F401
import scipy.special  # noqa: F401
import sklearn.cluster  # noqa: F401
import sklearn.ensemble  # noqa: F401
import sklearn.impute  # noqa: F401
import sklearn.linear_model  # noqa: F401
import sklearn.metrics  # noqa: F401
import sklearn.pipeline  # noqa: F401
import sklearn.preprocessing  # noqa: F401
import threadpoolctl  # noqa: F401
