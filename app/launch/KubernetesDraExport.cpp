#include "KubernetesDraExport.h"

#include "KubernetesExport.h"
#include "LaunchSpec.h"
#include "YamlText.h"

#include <QStringList>

namespace {

using YamlText::quoted;

const QString kClaim = QStringLiteral("gpus");
const QString kDeviceClass = QStringLiteral("gpu.nvidia.com");

// The preset's pick as DRA sees it: a GPU UUID can be selected, anything else only counted.
struct DraRequest
{
    bool all = false;
    int count = 0;
    QStringList uuids;    // selected by the driver's uuid attribute
    QStringList comments; // what DRA cannot say
};

DraRequest draRequest(const LaunchSpec &spec)
{
    DraRequest request;
    switch (spec.gpus.mode) {
    case GpuSelection::Mode::None: return request;
    case GpuSelection::Mode::All: request.all = true; return request;
    case GpuSelection::Mode::Count: request.count = spec.gpus.count; return request;
    case GpuSelection::Mode::Free:
        // The scheduler allocates only devices no other claim holds: free ones, by definition.
        request.count = spec.gpus.count;
        return request;
    case GpuSelection::Mode::Devices: break;
    }
    QStringList unpinned;
    for (const QString &device : spec.gpus.devices) {
        // A CDI name (nvidia.com/gpu=ID) picks the same GPU as its ID.
        const QString id = device.contains(QLatin1Char('=')) ? device.section(QLatin1Char('='), 1)
                                                             : device;
        if (id == QLatin1String("all")) {
            request.all = true;
            return request;
        }
        if (id.startsWith(QLatin1String("GPU-")))
            request.uuids << id;
        else
            unpinned << device;
    }
    request.count = int(spec.gpus.devices.size());
    if (!unpinned.isEmpty()) {
        request.comments
            << QStringLiteral("DRA cannot pin %1: GPU indexes and MIG devices are a node's own, so")
                   .arg(unpinned.join(QStringLiteral(", ")))
            << QStringLiteral("the node's driver chooses which GPUs the pod gets.");
        request.uuids.clear(); // a selector for some would refuse the others
    }
    return request;
}

QString celList(const QStringList &items)
{
    QStringList quotedItems;
    for (const QString &item : items)
        quotedItems << QLatin1Char('\'') + item + QLatin1Char('\'');
    return QLatin1Char('[') + quotedItems.join(QStringLiteral(", ")) + QLatin1Char(']');
}

} // namespace

QString KubernetesDraExport::claimTemplateName(const LaunchSpec &spec)
{
    return KubernetesExport::jobName(spec) + QStringLiteral("-gpus");
}

QString KubernetesDraExport::yaml(const LaunchSpec &spec)
{
    // The Job is KubernetesExport's for the launch without GPUs; the claim takes their place.
    LaunchSpec withoutGpus = spec;
    withoutGpus.gpus = GpuSelection::none();
    QString job = KubernetesExport::yaml(withoutGpus, {}).value();
    job = job.mid(job.indexOf(QLatin1String("apiVersion:"))); // its header is the device plugin's

    QString text =
        QStringLiteral(
            "# Exported by GPU Deck. Submit it with: kubectl apply -f THIS_FILE\n"
            "# (Kubernetes 1.34 or newer with NVIDIA's DRA driver for GPUs, device class %1.)\n")
            .arg(kDeviceClass);
    const DraRequest request = draRequest(spec);
    if (!request.all && request.count == 0) {
        text += QStringLiteral("# The preset asks for no GPUs: the Job claims none.\n");
        return text + job;
    }
    const QString req = QStringLiteral("        ");     // the request's fields
    const QString exact = QStringLiteral("          "); // the exact request's fields
    text += QStringLiteral("apiVersion: resource.k8s.io/v1\n"
                           "kind: ResourceClaimTemplate\n"
                           "metadata:\n"
                           "  name: %1\n"
                           "spec:\n"
                           "  spec:\n"
                           "    devices:\n"
                           "      requests:\n"
                           "      - name: %2\n")
                .arg(quoted(claimTemplateName(spec)), quoted(kClaim));
    text += req + QStringLiteral("exactly:\n");
    text += exact + QStringLiteral("deviceClassName: ") + quoted(kDeviceClass) + QLatin1Char('\n');
    for (const QString &line : request.comments)
        text += exact + QStringLiteral("# ") + line + QLatin1Char('\n');
    if (request.all) {
        text += exact + QStringLiteral("# All GPUs of the node the pod lands on.\n");
        text += exact + QStringLiteral("allocationMode: All\n");
    } else {
        text += exact + QStringLiteral("allocationMode: ExactCount\n");
        text += exact + QStringLiteral("count: %1\n").arg(request.count);
    }
    if (!request.uuids.isEmpty()) {
        text += exact + QStringLiteral("# The picked GPUs, by the UUID the driver publishes.\n");
        text += exact + QStringLiteral("selectors:\n") + exact + QStringLiteral("- cel:\n") + exact
                + QStringLiteral("    expression: ")
                + quoted(QStringLiteral("device.attributes['%1'].uuid in %2")
                             .arg(kDeviceClass, celList(request.uuids)))
                + QLatin1Char('\n');
    }
    text += QStringLiteral("---\n");

    // The pod claims the template's devices, and the container uses the claim.
    const QString pod = QStringLiteral("      ");
    const QString claims = pod + QStringLiteral("resourceClaims:\n") + pod
                           + QStringLiteral("  - name: ") + quoted(kClaim) + QLatin1Char('\n') + pod
                           + QStringLiteral("    resourceClaimTemplateName: ")
                           + quoted(claimTemplateName(spec)) + QLatin1Char('\n');
    job.insert(job.indexOf(QLatin1String("\n      containers:\n")) + 1, claims);
    const QString ctr = QStringLiteral("          ");
    const qsizetype image = job.indexOf(QLatin1String("\n") + ctr + QStringLiteral("image: "));
    const qsizetype afterImage = job.indexOf(QLatin1Char('\n'), image + 1) + 1;
    job.insert(afterImage,
               ctr + QStringLiteral("resources:\n") + ctr + QStringLiteral("  claims:\n") + ctr
                   + QStringLiteral("    - name: ") + quoted(kClaim) + QLatin1Char('\n'));
    return text + job;
}
