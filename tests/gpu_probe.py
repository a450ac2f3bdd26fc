"""Run INSIDE a GPU image (no GPU needed): can the CUDA libraries be loaded by soname?

``python gpu_probe.py '{"cublas": "libcublas.so.12", ...}'`` prints one JSON
object. It starts two fresh interpreters with the image's own environment
(a library loaded once is found again by soname, so the checks must not share
a process):

* ``cdll``: ``ctypes.CDLL(soname)`` for each soname (LD_LIBRARY_PATH, the ld.so
  cache and the system folders, and every library's own dependencies);
* ``tensorflow``: imports TensorFlow, reports its version, build info and the
  GPUs it sees, then calls TensorFlow's own loader (``tsl::internal::DsoLoader``
  in ``libtensorflow_framework.so.2``, what TensorFlow runs when it finds a
  GPU) for each library, with its log on (``TF_CPP_VMODULE=dso_loader=1``):
  stderr then says ``Successfully opened dynamic library <soname>`` or
  ``Could not load dynamic library '<soname>'``.

Runs on the image's Python (3.9 and later): no newer syntax here.
"""

import ctypes
import json
import os
import shutil
import subprocess
import sys

#: library key in the compatibility data -> the DsoLoader getter
GETTERS = {
    "cudart": "GetCudaRuntimeDsoHandle",
    "cublas": "GetCublasDsoHandle",
    "cublasLt": "GetCublasLtDsoHandle",
    "cufft": "GetCufftDsoHandle",
    "cusolver": "GetCusolverDsoHandle",
    "cusparse": "GetCusparseDsoHandle",
    "cudnn": "GetCudnnDsoHandle",
    "nccl": "GetNcclDsoHandle",
}


def load_each(libraries):
    errors = {}
    for soname in libraries.values():
        try:
            ctypes.CDLL(soname)
            errors[soname] = None
        except OSError as exc:
            errors[soname] = str(exc)
    return errors


def tensorflow_report(libraries):
    import tensorflow as tf

    framework = ctypes.CDLL(os.path.join(os.path.dirname(tf.__file__), "libtensorflow_framework.so.2"))
    for key in libraries:
        name = GETTERS[key]
        getter = getattr(framework, "_ZN3tsl8internal9DsoLoader%d%sEv" % (len(name), name))
        getter.restype = ctypes.c_void_p
        getter.argtypes = [ctypes.c_void_p]
        getter(ctypes.create_string_buffer(256))  # StatusOr<void*> is returned through this buffer
    info = tf.sysconfig.get_build_info()
    return {
        "version": tf.__version__,
        "is_cuda_build": info.get("is_cuda_build"),
        "cuda_version": info.get("cuda_version"),
        "cudnn_version": info.get("cudnn_version"),
        "gpus": [device.name for device in tf.config.list_physical_devices("GPU")],
    }


def main():
    libraries = json.loads(sys.argv[1])
    if len(sys.argv) > 2:
        result = load_each(libraries) if sys.argv[2] == "cdll" else tensorflow_report(libraries)
        sys.stdout.write("\n" + json.dumps(result) + "\n")
        return
    runs = {}
    logging = {"TF_CPP_MIN_LOG_LEVEL": "0", "TF_CPP_VMODULE": "dso_loader=1"}
    for mode, extra in (("cdll", {}), ("tensorflow", logging)):
        env = dict(os.environ)
        env.update(extra)
        done = subprocess.run(
            [sys.executable, __file__, sys.argv[1], mode],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
        )
        lines = done.stdout.strip().splitlines()
        runs[mode] = {
            "returncode": done.returncode,
            "result": json.loads(lines[-1]) if done.returncode == 0 and lines else None,
            "stderr": done.stderr[-30000:],
        }
    runs["environment"] = {name: os.environ.get(name) for name in ("LD_LIBRARY_PATH", "PATH")}
    ptxas = shutil.which("ptxas")  # XLA runs it from PATH
    version = subprocess.run([ptxas, "--version"], stdout=subprocess.PIPE, universal_newlines=True) if ptxas else None
    runs["ptxas"] = {"path": ptxas, "version": version.stdout if version else None}
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
