#pragma once

#include "launch/LaunchSpec.h"

#include <QObject>
#include <QPointer>

class CapabilityBox;
class GpuPanel;
class ImageList;
class LaunchForm;

// The launch as the window's widgets edit it: the form, the GPU ticks, the capabilities and the
// image list read as one LaunchSpec, and a LaunchSpec shown in all of them.
class LaunchEditor : public QObject
{
    Q_OBJECT

public:
    LaunchEditor(LaunchForm *form, GpuPanel *gpus, CapabilityBox *caps, ImageList *images,
                 QObject *parent = nullptr);

    // The launch as the widgets show it; problems the fields themselves find go to issues.
    LaunchSpec spec(QList<ValidationIssue> *issues = nullptr) const;
    void setSpec(const LaunchSpec &spec);
    // Each issue beside its field; with all false only fields the user has edited are flagged.
    void showIssues(const QList<ValidationIssue> &issues, bool all);

private:
    QPointer<LaunchForm> m_form;
    QPointer<GpuPanel> m_gpus;
    QPointer<CapabilityBox> m_caps;
    QPointer<ImageList> m_images;
    // The launch last set: fields without a widget (binds) come from it.
    LaunchSpec m_base;
};
