# syntax=docker/dockerfile:1
# Kiri MMM image (Debian bookworm, Python 3.11). Targets:
#   app    (the default) Streamlit app and RQ worker with the Python engine
#   robyn  the same plus R, Meta's Robyn and nevergrad (for reticulate): a worker with this
#          image offers "Robyn (R)" runs
#
#   docker build -t kiri .
#   docker build --target robyn -t kiri-robyn .                  # Robyn 3.12.1 from CRAN
#   docker build --target robyn --build-arg ROBYN_GITHUB_REF=main -t kiri-robyn .
#
# docker-compose.yml builds both (KIRI_WORKER_TARGET=robyn for a worker with R).

FROM python:3.11-slim-bookworm AS python-deps
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KIRI_DATA_DIR=/data \
    KIRI_STORAGE_URL=/data/artifacts \
    OPENBLAS_CORETYPE=Haswell \
    NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" \
    PORT=8501
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
RUN useradd --create-home --uid 10001 kiri \
 && mkdir -p /data/artifacts \
 && chown -R kiri:kiri /data

# R and Robyn, kept in layers of their own so a code change does not rebuild them. Robyn's
# heavy dependencies (prophet with rstan, glmnet, nloptr, tidyverse parts) are Debian binary
# packages; the rest (e.g. lares) is built from CRAN, hence r-base-dev and the -dev libraries.
FROM python-deps AS robyn-deps
ARG ROBYN_VERSION=3.12.1
ARG ROBYN_GITHUB_REF=
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      r-base-core r-base-dev \
      r-cran-dplyr r-cran-tidyr r-cran-stringr r-cran-lubridate r-cran-ggplot2 \
      r-cran-ggridges r-cran-patchwork r-cran-glmnet r-cran-nloptr r-cran-prophet \
      r-cran-foreach r-cran-doparallel r-cran-dorng r-cran-jsonlite r-cran-reticulate \
      r-cran-remotes r-cran-httr r-cran-yaml r-cran-rpart \
      libcurl4-openssl-dev libssl-dev libxml2-dev libfontconfig1-dev libharfbuzz-dev \
      libfribidi-dev libfreetype6-dev libpng-dev libjpeg-dev \
 && rm -rf /var/lib/apt/lists/*
COPY r/install_robyn.R /tmp/install_robyn.R
RUN Rscript /tmp/install_robyn.R && rm /tmp/install_robyn.R
# nevergrad is in requirements.txt: reticulate uses this image's Python.
ENV RETICULATE_PYTHON=/usr/local/bin/python

FROM robyn-deps AS robyn
COPY --chown=kiri:kiri . /app
# Fail the build, not the first run, if Robyn, jsonlite or nevergrad cannot be loaded.
RUN Rscript r/run_robyn.R --check
USER kiri
EXPOSE 8501
CMD ["python", "worker.py"]

FROM python-deps AS app
COPY --chown=kiri:kiri . /app
USER kiri
EXPOSE 8501
CMD ["sh", "-c", "exec streamlit run app.py --server.port ${PORT} --server.address 0.0.0.0"]
