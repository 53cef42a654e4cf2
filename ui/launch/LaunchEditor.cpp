#include "launch/LaunchEditor.h"

#include "gpus/GpuPanel.h"
#include "images/ImageList.h"
#include "launch/CapabilityBox.h"
#include "launch/LaunchForm.h"

LaunchEditor::LaunchEditor(LaunchForm *form, GpuPanel *gpus, CapabilityBox *caps, ImageList *images,
                           QObject *parent)
    : QObject(parent), m_form(form), m_gpus(gpus), m_caps(caps), m_images(images)
{
}

LaunchSpec LaunchEditor::spec(QList<ValidationIssue> *issues) const
{
    LaunchSpec spec = m_base;
    QList<ValidationIssue> local;
    m_form->fillSpec(&spec, issues ? issues : &local);
    spec.gpus = m_gpus->selection();
    spec.capabilities = m_caps->capabilities();
    return spec;
}

void LaunchEditor::setSpec(const LaunchSpec &spec)
{
    m_base = spec;
    m_form->setSpec(spec);
    m_gpus->setSelection(spec.gpus);
    m_caps->setCapabilities(spec.capabilities);
    m_images->selectImage(spec.image);
}

void LaunchEditor::showIssues(const QList<ValidationIssue> &issues, bool all)
{
    m_form->showIssues(issues, all);
    QStringList gpu;
    QStringList caps;
    for (const ValidationIssue &issue : issues) {
        if (issue.field == QLatin1String("gpus"))
            gpu.append(issue.message);
        else if (issue.field == QLatin1String("capabilities"))
            caps.append(issue.message);
    }
    m_gpus->setIssue(gpu.join(QLatin1Char('\n')));
    m_caps->setIssue(caps.join(QLatin1Char('\n')));
}
