"""The one-TensorFlow rule on values (no resolution): which distribution, and what breaks the rule."""

from __future__ import annotations

from hatch_aicontainer.build.deps.lock import LockedPackage, TensorFlowRequest
from hatch_aicontainer.build.deps.tensorflow_rule import (
    TOP_LEVEL,
    TensorFlowChoice,
    cuda_library_builds,
    initial_choice,
    lock_problem,
    other_requirements,
    parse_requirers,
    pin_constraints,
    switched_choice,
)
from hatch_aicontainer.oci.descriptor import Platform

AMD64 = Platform("linux", "amd64")
CPU = TensorFlowRequest("2.16.1", "tensorflow-cpu")
CUDA = TensorFlowRequest("2.16.1", "tensorflow", "and-cuda")


def packages(**versions: str) -> list[LockedPackage]:
    return [LockedPackage(name.replace("_", "-"), version) for name, version in versions.items()]


def test_every_tensorflow_name_is_held_at_the_pin():
    assert set(pin_constraints(CPU)) == {"tensorflow==2.16.1", "tensorflow-cpu==2.16.1", "tensorflow-gpu==2.16.1", "tensorflow-intel==2.16.1"}


def test_the_request_stands_for_every_tensorflow_requirement_of_the_project():
    assert other_requirements(["Tensorflow_CPU>=2", "tensorflow[and-cuda]", "numpy<3", "tensorflow-text"]) == ("numpy<3", "tensorflow-text")
    assert CUDA.requirement("tensorflow") == "tensorflow[and-cuda]==2.16.1"


def test_the_project_asking_for_tensorflow_chooses_it_when_its_marker_applies():
    assert initial_choice(CPU, ["tensorflow>=2.15"], "3.11", AMD64) == TensorFlowChoice("tensorflow", "the project requires tensorflow>=2.15")
    assert initial_choice(CPU, ['tensorflow; python_version < "3.10"'], "3.11", AMD64) == TensorFlowChoice("tensorflow-cpu")
    assert initial_choice(CPU, ['tensorflow; platform_machine == "x86_64"'], "3.11", AMD64).distribution == "tensorflow"
    assert initial_choice(CPU, ["tensorflow-cpu", "numpy"], "3.11", AMD64) == TensorFlowChoice("tensorflow-cpu")
    assert initial_choice(CUDA, [], "3.11", AMD64) == TensorFlowChoice("tensorflow")  # already the named distribution


def test_a_lock_with_one_tensorflow_at_the_pin_follows_the_rule():
    assert lock_problem(packages(tensorflow_cpu="2.16.1", numpy="1.26.4"), CPU, TensorFlowChoice("tensorflow-cpu")) is None
    assert lock_problem(packages(tensorflow="2.16.1.0"), CPU, TensorFlowChoice("tensorflow")) is None  # PEP 440 equal


def test_what_breaks_the_rule():
    cpu = TensorFlowChoice("tensorflow-cpu")
    two = lock_problem(packages(tensorflow_cpu="2.16.1", tensorflow="2.16.2"), CPU, cpu)
    assert two.kind == "two-tensorflow" and two.packages == (("tensorflow", "2.16.2"), ("tensorflow-cpu", "2.16.1"))
    assert lock_problem(packages(tensorflow_cpu="2.16.2"), CPU, cpu).kind == "version"
    assert lock_problem(packages(numpy="1"), CPU, cpu).kind == "missing"
    other = lock_problem(packages(tensorflow="2.16.1"), CPU, cpu)
    assert other.kind == "missing" and "tensorflow 2.16.1 instead" in other.describe()
    builds = lock_problem(packages(tensorflow="2.16.1", nvidia_cublas_cu11="11.11", nvidia_cublas_cu12="12.3"), CUDA, TensorFlowChoice("tensorflow"))
    assert builds.kind == "cuda-builds"


def test_problems_name_who_asked():
    problem = lock_problem(packages(tensorflow_cpu="2.16.1", tensorflow="2.16.2"), CPU, TensorFlowChoice("tensorflow-cpu"))
    line = problem.describe({"tensorflow": ("tf-keras", "tensorflow"), "tensorflow-cpu": (TOP_LEVEL,)})
    assert "tensorflow 2.16.2 (required by tf-keras)" in line and "tensorflow-cpu 2.16.1 (required by the project)" in line
    assert "\n" not in line


def test_cuda_libraries_grouped_across_cuda_majors():
    groups = cuda_library_builds([("nvidia-cublas-cu11", "11"), ("nvidia-cublas", "13"), ("nvidia-cudnn-cu12", "9"), ("numpy", "1")])
    assert groups == {"nvidia-cublas": [("nvidia-cublas", "13"), ("nvidia-cublas-cu11", "11")], "nvidia-cudnn": [("nvidia-cudnn-cu12", "9")]}


def test_switch_to_tensorflow_only_when_a_package_asked_for_that_name():
    cpu = TensorFlowChoice("tensorflow-cpu")
    two = lock_problem(packages(tensorflow_cpu="2.16.1", tensorflow="2.16.1"), CPU, cpu)
    assert switched_choice(two, cpu, {"tensorflow": ("tf-keras", "tensorflow-probability")}) == TensorFlowChoice(
        "tensorflow", "tf-keras, tensorflow-probability require tensorflow"
    )
    assert switched_choice(two, TensorFlowChoice("tensorflow"), {"tensorflow": ("x",)}) is None  # switched already
    intel = lock_problem(packages(tensorflow_cpu="2.16.1", tensorflow_intel="2.16.1"), CPU, cpu)
    assert switched_choice(intel, cpu, {"tensorflow-intel": ("x",)}) is None  # only to the name everyone can meet


def test_uv_annotations_give_who_asked():
    text = (
        "absl-py==2.5.1            # via keras, tensorboard, tensorflow\n"
        "tensorflow==2.16.1        # via tf-keras, -c constraints.txt\n"
        "tensorflow-cpu==2.16.1    # via -c constraints.txt, -r requirements.in\n"
        "Tf_Keras==2.16.0          # via -r requirements.in\n"
    )
    assert parse_requirers(text) == {
        "absl-py": ("keras", "tensorboard", "tensorflow"),
        "tensorflow": ("tf-keras",),
        "tensorflow-cpu": (TOP_LEVEL,),
        "tf-keras": (TOP_LEVEL,),
    }
