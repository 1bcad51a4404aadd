# The action's own image: only the package and its dependencies, nothing from a build toolchain.
# PYTHON_IMAGE lets bench/action_image.py build on a local stand-in where Docker Hub is unreachable.
ARG PYTHON_IMAGE=python:3.12-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app
# pyproject.toml and the package are all pip needs; tests, docs and examples stay out.
COPY pyproject.toml README.md ./
COPY generator/ generator/
RUN pip install --no-compile . && rm -rf /root/.cache
COPY entrypoint.py ./

# GitHub runs container actions as root with the checkout at /github/workspace; the code chowns
# what it writes back to the workspace owner.
ENTRYPOINT ["python", "/app/entrypoint.py"]
