#pragma once
// tfm: the Transformer (Vaswani et al., 2017) for sequence-to-sequence tasks, as a library.
// Link with tfm::tfm (CMake: find_package(tfm)) or `pkg-config --cflags --libs tfm`.
#include "tfm/metrics.h"
#include "tfm/training.h"
#include "tfm/translator.h"
