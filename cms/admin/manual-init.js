// Before decap-cms.js: newsroom-admin.js registers our widgets and format, then starts Decap itself.
// A file of its own, since the admin's Content-Security-Policy allows no inline script.
window.CMS_MANUAL_INIT = true;
