#pragma once

#include "DoctorCheck.h"
#include "DoctorFacts.h"

#include <QCoreApplication>

// On a swarm node: the NVIDIA-GPU resources it advertises against the host's GPUs, and the
// toolkit's swarm-resource setting that turns a task's reservation into visible GPUs.
class SwarmCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static DoctorCheck::Verdict run(const DoctorFacts &facts);
};
