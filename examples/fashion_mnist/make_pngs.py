#!/usr/bin/env python3
"""Fashion-MNIST (Debian package dataset-fashion-mnist) -> PNG files + an image manifest CSV.

Tasks: `class` (the 10 classes) and `group` (tops / bottoms / footwear / bags-and-accessories).
Splits: the last --val images of the 60k training set are `val`, the 10k test set is `test`.
Standard library only (gzip, zlib, struct): no numpy or PIL needed.

  python3 make_pngs.py --out fmnist [--src /usr/share/datasets/fashion-mnist] [--train 60000] [--test 10000]
"""
import argparse
import gzip
import os
import struct
import zlib

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
GROUP = {"t-shirt": "tops", "pullover": "tops", "dress": "tops", "coat": "tops", "shirt": "tops",
         "trouser": "bottoms", "sandal": "footwear", "sneaker": "footwear", "ankle-boot": "footwear",
         "bag": "bags-and-accessories"}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:  # images: count, rows, cols, then bytes
        rows, cols = struct.unpack(">II", data[8:16])
        size = rows * cols
        return [data[16 + i * size:16 + (i + 1) * size] for i in range(count)], rows, cols
    if magic == 2049:  # labels
        return list(data[8:8 + count]), 0, 0
    raise SystemExit(f"{path}: not an idx file (magic {magic})")


def png_gray(pixels, width, height):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--out", required=True)
    parser.add_argument("--train", type=int, default=60000, help="training images to use (first N)")
    parser.add_argument("--val", type=int, default=5000, help="of those, the last N become the val split")
    parser.add_argument("--test", type=int, default=10000, help="test images to use (first N)")
    args = parser.parse_args()
    if not os.path.isdir(args.src):
        raise SystemExit(f"{args.src}: missing; install it with: apt-get install dataset-fashion-mnist")
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    rows = []
    for part, limit in (("train", args.train), ("t10k", args.test)):
        images, height, width = read_idx(os.path.join(args.src, f"{part}-images-idx3-ubyte.gz"))
        labels, _, _ = read_idx(os.path.join(args.src, f"{part}-labels-idx1-ubyte.gz"))
        count = min(limit, len(images))
        for i in range(count):
            name = f"images/{part}-{i:05d}.png"
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(png_gray(images[i], width, height))
            split = "test" if part == "t10k" else ("val" if i >= count - args.val else "train")
            label = CLASSES[labels[i]]
            rows.append(f"{name},{split},{label},{GROUP[label]}")
    with open(os.path.join(args.out, "images.csv"), "w") as f:
        f.write("path,split,class,group\n" + "\n".join(rows) + "\n")
    print(f"wrote {len(rows)} PNG files and {os.path.join(args.out, 'images.csv')}")


if __name__ == "__main__":
    main()
