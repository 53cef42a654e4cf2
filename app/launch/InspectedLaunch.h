#pragma once

#include "LaunchSpec.h"

#include <QJsonObject>
#include <QStringList>

// A launch rebuilt from a container the engine keeps (Launch Again for a container no preset
// started): the fields GPU Deck knows, read from the container's inspect and compared with its
// image's so that what the image sets anyway stays unset; and, as the docker CLI names them, the
// options the container was made with that a LaunchSpec cannot carry over.
struct InspectedLaunch
{
    LaunchSpec spec;
    QStringList notCarried; // "--memory", "--restart", … in the order docker run lists them

    // container: GET /containers/{id}/json; image: GET /images/{image}/json (empty when the image
    // is gone, and then the container's own Cmd, Env, User and WorkingDir are kept whole).
    static InspectedLaunch fromInspect(const QJsonObject &container, const QJsonObject &image);
};
