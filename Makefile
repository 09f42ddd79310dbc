# make run | make test | make bench — each installs what is missing, configures and builds first.
BUILD_DIR ?= build
BENCH_DIR ?= build-release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEBIAN_PACKAGES := cmake g++ make pkg-config libsimgrid-dev libboost-graph-dev libfmt-dev nlohmann-json3-dev \
  libcli11-dev libgtest-dev zlib1g-dev libssl-dev libyaml-cpp-dev python3 python3-pandas python3-scipy python3-matplotlib

.PHONY: all deps configure build run test bench clean study consolidation-study quota-study inference-study train-serve-study hpa-study ca-study failures-study network-study test-sanitize fuzz

all: build

deps:
	@bash .ci/install-deps $(DEBIAN_PACKAGES)

$(BUILD_DIR)/Makefile: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: deps $(BUILD_DIR)/Makefile

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the simulator: the tests are built by `make test`.
run: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target aidcsim_cli
	$(BUILD_DIR)/aidcsim run scenarios/quickstart.json --out results/quickstart

test: build
	@bash .ci/install-deps prometheus  # promtool and prometheus: tests/scenarios/test_alerts_promtool.sh, test_prometheus_export.sh
	@bash .ci/install-deps chromium  # headless browser: tests/scenarios/test_report_chromium.sh
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 1200

bench: deps
	@bash .ci/install-deps time
	cmake -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
	cmake --build $(BENCH_DIR) -j $(JOBS)
	bash bench/run.sh $(BENCH_DIR)

clean:
	rm -rf $(BUILD_DIR) $(BENCH_DIR) $(SANITIZE_DIR) $(FUZZ_DIR)

# The Young/Daly study (docs/failures.md): 100-hour jobs interrupted every 3 h on average, checkpoint
# intervals from 2 min to 3 h, 4 seeds (44 points); analysis/failures_study.py compares the mean JCT with
# the exact expectation and Young's optimum, and writes the table and figure into docs/failures.md
# (between its failures-study markers) and docs/images/young_daly.png.
FAILURES_STUDY_OUT ?= results/studies/young-daly
failures-study: build
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/young-daly.json --out $(FAILURES_STUDY_OUT)
	/usr/bin/python3 analysis/failures_study.py $(FAILURES_STUDY_OUT) --docs docs/failures.md --images docs/images

# The fat-tree study (docs/network.md): the Philly week under the iterations model, first-fit, topology and
# spread placement on uplinks oversubscribed 1:1, 2:1 and 4:1 (9 runs, ~10 s); analysis/network_study.py
# writes the table and figure into docs/network.md (between its network-study markers).
NETWORK_STUDY_OUT ?= results/studies/network-fat-tree
network-study: build
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/network-fat-tree.json --out $(NETWORK_STUDY_OUT)
	/usr/bin/python3 analysis/network_study.py $(NETWORK_STUDY_OUT) --docs docs/network.md --images docs/images

# The unit, engine and fuzz-smoke tests built with AddressSanitizer and UndefinedBehaviorSanitizer (GCC), in
# their own build dir; not part of `make test` (docs/robustness.md has the measured time). SimGrid is not
# instrumented: its context switches (one stack per simulated actor) make ASan's stack-use-after-return
# check misfire, hence detect_stack_use_after_return=0; LeakSanitizer reports SimGrid's engine, which
# lives until exit by design, hence detect_leaks=0.
SANITIZE_DIR ?= build-sanitize
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=0:abort_on_error=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && $(SANITIZE_ENV) ctest --output-on-failure -j $(JOBS) -L 'unit|engine|fuzz' --timeout 1200

# libFuzzer (clang-14, its own build dir): each target FUZZ_SECONDS, one at a time, under nice -n 19.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= scenario sweep platform trace_native trace_openb trace_philly trace_swf trace_swf_gzip \
  trace_helios trace_alibaba_pai trace_alibaba_dlrm requests
fuzz: deps
	@bash .ci/install-deps clang-14 libclang-rt-14-dev
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DAIDCSIM_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target aidcsim_fuzzers
	bash tests/fuzz/run_fuzzers.sh $(CURDIR) $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The example study (docs/sweeps.md): 4 schedulers x 3 arrival rates x 5 seeds on a Philly week (60 points,
# about 1.5 min on 2 cores), then the comparison table and figures (metrics against offered load, computed per
# point from its jobs.csv: analysis/common.py offered_load); docs/update_study.py adds the CDFs
# at the highest load and copies table and figures into docs/sweeps.md (between its study markers, never
# hand-edited) and docs/images/study_*.png. A second run reuses the finished points (delete STUDY_OUT to run them again).
STUDY_OUT ?= results/studies/philly-week-policies
study: build
	@[ -f build/platforms/philly.xml ] || $(BUILD_DIR)/aidcsim platform philly -o build/platforms/philly.xml
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/philly-week-policies.json --out $(STUDY_OUT)
	/usr/bin/python3 analysis/compare.py $(STUDY_OUT) --out $(STUDY_OUT)/tables
	/usr/bin/python3 analysis/plot.py $(STUDY_OUT) --x offered_load --out $(STUDY_OUT)/figures
	/usr/bin/python3 docs/update_study.py $(STUDY_OUT)

# The consolidation study (docs/runtimes.md): a Philly week under VMs with server power-off, consolidation off
# and every 30, 10 and 5 minutes, 3 seeds (12 points, ~30 s); analysis/consolidation_study.py reruns seed 1 of
# each setting with a 10-minute monitor for the time series (through python/aidcsim), and writes the table and
# docs/images/consolidation_{interval,timeseries}.png into docs/runtimes.md (between its consolidation-study markers).
CONSOLIDATION_STUDY_OUT ?= results/studies/philly-vm-consolidation
consolidation-study: build
	@[ -f build/platforms/philly.xml ] || $(BUILD_DIR)/aidcsim platform philly -o build/platforms/philly.xml
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/philly-vm-consolidation.json --out $(CONSOLIDATION_STUDY_OUT)
	/usr/bin/python3 analysis/consolidation_study.py $(CONSOLIDATION_STUDY_OUT) --aidcsim $(BUILD_DIR)/aidcsim \
	  --docs docs/runtimes.md --images docs/images

# The quota study (docs/quota.md): the Philly week under no quota, strict VC quotas, borrowing, and
# borrowing with reclaim (4 points, a few seconds each); analysis/quota_study.py writes the table and
# the figure into docs/quota.md (between its quota-study markers) and docs/images/quota_vc_delay.png.
# The inference study (docs/inference.md): the Azure conversation hour on A100 and H100 replicas, each
# batching policy and router, 2 to 8 replicas (150 runs, about a minute); tables and figures into
# docs/inference.md (between its inference-study markers) and docs/images/inference_*.png.
INFERENCE_STUDY_OUT ?= results/studies/inference-conv
inference-study: build
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/inference-conv.json --out $(INFERENCE_STUDY_OUT)
	/usr/bin/python3 analysis/inference_study.py $(INFERENCE_STUDY_OUT) --docs docs/inference.md --images docs/images

# Training and inference on one cluster (docs/inference.md): a day of Philly training jobs and a chat
# service arriving into the full cluster, under priority without and with preemption and a static split.
TRAIN_SERVE_STUDY_OUT ?= results/studies/train-and-serve
train-serve-study: build
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/train-and-serve.json --out $(TRAIN_SERVE_STUDY_OUT)
	/usr/bin/python3 analysis/train_serve_study.py $(TRAIN_SERVE_STUDY_OUT) --docs docs/inference.md --images docs/images

# The HPA study (docs/autoscaling.md): a day of chat traffic under the HPA, four targets x three
# behaviors, against fixed replica counts (18 day-long runs, a few minutes); table and figure into
# docs/autoscaling.md (between its hpa-study markers) and docs/images/hpa_day.png.
HPA_STUDY_OUT ?= results/studies/hpa-day
hpa-study: build
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/hpa-day.json --out $(HPA_STUDY_OUT)
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/hpa-day-static.json --out $(HPA_STUDY_OUT)-static
	/usr/bin/python3 analysis/hpa_study.py $(HPA_STUDY_OUT) $(HPA_STUDY_OUT)-static --docs docs/autoscaling.md --images docs/images

# The Cluster Autoscaler study (docs/autoscaling.md): the Philly week with 25 racks as node groups,
# three expanders x five unneeded times, against the racks always up and never up (17 runs, ~1 min);
# table and figure into docs/autoscaling.md (between its ca-study markers) and docs/images/ca_week.png.
CA_STUDY_OUT ?= results/studies/philly-ca
ca-study: build
	@[ -f build/platforms/philly.xml ] || $(BUILD_DIR)/aidcsim platform philly -o build/platforms/philly.xml
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/philly-ca.json --out $(CA_STUDY_OUT)
	$(BUILD_DIR)/aidcsim run scenarios/philly-fifo.json --out $(CA_STUDY_OUT)-all-up --quiet
	$(BUILD_DIR)/aidcsim run scenarios/philly-ca.json --out $(CA_STUDY_OUT)-none-up --quiet \
	  $$(for g in $$(seq 0 24); do echo --set autoscaling.nodes.groups.$$g.max=0; done)
	/usr/bin/python3 analysis/ca_study.py $(CA_STUDY_OUT) $(CA_STUDY_OUT)-all-up $(CA_STUDY_OUT)-none-up --docs docs/autoscaling.md --images docs/images

QUOTA_STUDY_OUT ?= results/studies/philly-quota
quota-study: build
	@[ -f build/platforms/philly.xml ] || $(BUILD_DIR)/aidcsim platform philly -o build/platforms/philly.xml
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/philly-quota.json --out $(QUOTA_STUDY_OUT)
	/usr/bin/python3 analysis/quota_study.py $(QUOTA_STUDY_OUT) --docs docs/quota.md --images docs/images
