#pragma once

#include "DoctorCheck.h"
#include "DoctorFacts.h"

#include <QCoreApplication>

class DockerClient;

// Each GPU preset's image against the driver, as a launch checks it (CudaRequirement).
class CudaCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static void run(DockerClient *client, const DoctorFacts &facts, QObject *context,
                    const DoctorCheck::Done &done);
};
