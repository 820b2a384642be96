"""How many kernels Voila keeps ready for each demo page (`make serve POOL=…`)."""

from __future__ import annotations

from pathlib import Path


def pool_sizes(setting: str, demos: Path) -> dict[str, int]:
    """Kernels to keep ready per demo page in `demos`, from a setting such as DECK_POOL_SIZE:

    "" → 1 per page; "6" → 6 per page; "soap=6,coordinates=6" → those pages 6, others 1;
    "0,coordinates=2" → coordinates 2, others none (a number alone sets every page).
    """
    sizes = {page.stem: 1 for page in demos.glob("*.ipynb")}
    for item in filter(None, (part.strip() for part in setting.split(","))):
        if item.isdigit():
            sizes = dict.fromkeys(sizes, int(item))
            continue
        name, _, size = item.partition("=")
        if name not in sizes or not size.strip().isdigit():
            raise ValueError(
                f"DECK_POOL_SIZE: {item!r} is not PAGE=NUMBER with PAGE one of {sorted(sizes)}"
            )
        sizes[name] = int(size)
    return sizes


def kernel_pools_config(setting: str, demos: Path) -> dict:
    """Voila's `VoilaKernelManager.kernel_pools_config`: no pool but for the demo pages."""
    relative = f"{demos.name}/{{}}.ipynb"  # pages are named relative to the served folder
    return {
        "default": {"pool_size": 0},
        **{
            relative.format(name): {"pool_size": size}
            for name, size in pool_sizes(setting, demos).items()
        },
    }
