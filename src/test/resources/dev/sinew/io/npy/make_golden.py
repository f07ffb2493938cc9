"""Writes the .npy/.npz files NpyGoldenTest reads, with numpy's own writers.

Run from this directory: python3 make_golden.py  (numpy 2.4.6 made the checked-in files).
The tests never run Python: these files are checked in, this script only says how they were made.
"""
import numpy as np

base = np.arange(6).reshape(2, 3)  # [[0, 1, 2], [3, 4, 5]]

# Every dtype numpy writes for numeric arrays, in both byte orders where there is one.
for t in ["u1", "i1"]:
    np.save(f"{t}.npy", base.astype(t))
np.save("b1.npy", (base % 2).astype("?"))  # [[F, T, F], [T, F, T]]
for t in ["i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]:
    np.save(f"{t}_le.npy", base.astype("<" + t))
    np.save(f"{t}_be.npy", base.astype(">" + t))

# The ends of each range that Sinew reads exactly, and floats that round.
np.save("extremes_i1.npy", np.array([-128, 127], "i1"))
np.save("extremes_u1.npy", np.array([0, 255], "u1"))
np.save("extremes_i2.npy", np.array([-32768, 32767], "<i2"))
np.save("extremes_u2.npy", np.array([0, 65535], ">u2"))
np.save("extremes_i4.npy", np.array([-2**24, 2**24], "<i4"))
np.save("extremes_u8.npy", np.array([0, 2**24], "<u8"))
np.save("extremes_f2.npy", np.array([0.5, 65504, -np.inf, np.nan, 2**-24], "<f2"))
np.save("extremes_f8.npy", np.array([0.1, 1e300, -1e-300, 2**24 + 1], ">f8"))

# Integers float32 cannot hold exactly: refused.
np.save("too_large_i4.npy", np.array([[1, 2], [3, 2**24 + 1]], "<i4"))
np.save("too_small_i8.npy", np.array([-2**24 - 1], "<i8"))
np.save("too_large_u8.npy", np.array([2**64 - 1], "<u8"))

# Fortran order: numpy writes the data column-major and says so in the header.
np.save("fortran_f4.npy", np.asfortranarray(np.arange(24, dtype="<f4").reshape(2, 3, 4)))
np.save("fortran_be_i2.npy", np.asfortranarray(np.arange(6, dtype=">i2").reshape(2, 3)))

# Header versions 2 and 3 (numpy picks them for headers over 64 KB, or non-latin-1 field names).
with open("v2.npy", "wb") as f:
    np.lib.format.write_array(f, base.astype("<f4"), version=(2, 0))
with open("v3.npy", "wb") as f:
    np.lib.format.write_array(f, base.astype("<f4"), version=(3, 0))

# What Sinew refuses, each for its own reason.
np.save("object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
np.save("unicode.npy", np.array(["ab", "c"]))
np.save("bytes.npy", np.array([b"ab", b"c"]))
np.save("structured.npy", np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")]))
np.save("complex.npy", np.array([1 + 2j], "<c8"))
np.save("datetime.npy", np.array(["2024-01-01"], "datetime64[D]"))
np.save("scalar.npy", np.float32(3.5))
np.save("empty.npy", np.zeros((0, 3), "<f4"))

# .npz, stored and deflated: keyword arrays and a positional one (numpy names it arr_0 and, in
# numpy 2.4, stores it after the keywords).
arrays = dict(x=np.arange(12, dtype="<f4").reshape(3, 4), y=np.array([0, 1, 2], "<i8"),
              images=np.arange(12, dtype="u1").reshape(2, 2, 3))
np.savez("savez.npz", np.array([1.5, -2.5], "<f8"), **arrays)
np.savez_compressed("savez_compressed.npz", np.array([1.5, -2.5], "<f8"), **arrays)
