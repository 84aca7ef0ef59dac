export * from './install';
export * from './nodeRed';
export * from './client';
export * from './nodePackage';
