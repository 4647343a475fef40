#pragma once
// Everything in attn::optim: optimizers, learning-rate schedules, clipping.
#include "attn/optim/clip.h"
#include "attn/optim/optimizer.h"
#include "attn/optim/schedule.h"
